import { OUT_OF_SCOPE, isDialogueIntent } from '../core/intents.js';
import type { IntentPhrases, KnowledgeBase, Place } from '../knowledge/types.js';
import type { Nlu, Understanding } from '../nlu/nlu.js';
import type { Policy } from './policy.js';
import type { Session } from './session.js';

/**
 * What a message asks, read in its conversation — the dialogue's decision before any reply is built:
 * - `answer`: one topic (or two close ones), perhaps for a place, with the Mission's contacts when the person
 *   told their own situation or asked whom to write to;
 * - `not_held`: the topic is right but what is asked of it is not in the fact sheet;
 * - `elsewhere`: another body's facts; `clarify`: ask back with the closest topics; `not_understood`.
 */
export type Reading =
  | { kind: 'answer'; intents: readonly string[]; probability: number; place?: Place; contacts: boolean }
  | { kind: 'not_held'; intent: string; probability: number }
  | { kind: 'elsewhere' | 'not_understood'; probability: number }
  | { kind: 'clarify'; intents: readonly string[]; probability: number };

/** How many answers a question is followed through by their `aspects` (A → B → not held). */
const ASPECT_STEPS = 3;
/** The aspect of a question that asks about a town (not a concept of the lexicon: the places entity). */
const PLACE_ASPECT = 'place';
/** Concepts of the lexicon that, named together, mean this Mission: the OSCE (OMiK, OSBE, OEBS) and Kosovo. */
const OURS = ['mission', 'kosovo'] as const;
/** Concepts of asking whom to write to or call: the contacts then come with the answer. */
const REACH = ['contact', 'phone', 'email'] as const;
/** Small talk: a message read as one of these may be a question with courtesy attached. */
const SOCIAL: ReadonlySet<string> = new Set(['greeting', 'thanks', 'goodbye', 'acknowledge']);

/**
 * Reads messages against the knowledge base's rules (intents/*.yaml `aspects`, `requires`, `decisive`; the places'
 * kinds; which answers depend on a place) and the conversation's last topic and place.
 */
export class Reader {
  private readonly placesById: ReadonlyMap<string, Place>;
  /** Answers that differ by place (offices, contacts): a town with few other words continues them. */
  private readonly placeAware: ReadonlySet<string>;
  /** Answers about the Mission's own facts (who, where, how to reach, staff, money, jobs), as opposed to its work. */
  private readonly missionFacts: ReadonlySet<string>;
  private readonly aspects: ReadonlyMap<string, Readonly<Record<string, string>>>;
  private readonly decisiveConcepts: ReadonlyMap<string, string>;
  private readonly requires: ReadonlyMap<string, NonNullable<IntentPhrases['requires']>>;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly nlu: Nlu,
    private readonly policy: Policy,
  ) {
    const answers = [...kb.answers.values()];
    this.placesById = new Map(kb.places.map((p) => [p.id, p]));
    this.placeAware = new Set(answers.filter((a) => Object.keys(a.byPlace).length > 0).map((a) => a.intent));
    this.missionFacts = new Set(answers.filter((a) => a.kind === 'noinfo' || ['about', 'facts', 'contact'].includes(a.topic)).map((a) => a.intent));
    this.aspects = new Map(kb.intents.filter((i) => Object.keys(i.aspects).length > 0).map((i) => [i.intent, i.aspects]));
    this.decisiveConcepts = new Map(kb.intents.flatMap((i) => i.decisive.map((c) => [c, i.intent] as const)));
    this.requires = new Map(kb.intents.flatMap((i) => (i.requires ? [[i.intent, i.requires] as const] : [])));
  }

  /**
   * The NLU's reading of a message. Courtesy around a question does not make it small talk: "Добар дан, ко данас
   * управља мисијом?" and "…, thanks in advance" are read without their courtesy words when the whole reads as a
   * greeting or thanks and the rest is a question with an answer.
   */
  understand(text: string): Understanding {
    const u = this.nlu.understand(text);
    if (!SOCIAL.has(u.ranked[0]!.intent) || u.contentTokens < 2) return u;
    const bare = this.nlu.understand(text, { dropCourtesy: true });
    const top = bare.ranked[0]!;
    return this.kb.answers.has(top.intent) && top.probability >= this.policy.answer ? bare : u;
  }

  /** An intent that a concept of the message makes decisive, whatever else it says (intents/*.yaml `decisive`). */
  decisive(u: Understanding): string | undefined {
    for (const [concept, intent] of this.decisiveConcepts) if (u.concepts.has(concept)) return intent;
    return undefined;
  }

  /** Whether the intent's answer differs by place. */
  dependsOnPlace(intent: string | undefined): boolean {
    return intent !== undefined && this.placeAware.has(intent);
  }

  /** What the message asks, in the conversation `session` (read only: the caller records the answer given). */
  read(u: Understanding, session: Readonly<Session>): Reading {
    const best = u.ranked[0]!;
    let { intent, probability } = best;
    let place: Place | undefined = u.asked[0]?.place;
    // A topic whose answer does not depend on the place, recognised with confidence ("basketball tournament
    // Prishtina", "hotels in Peja" as out of scope, "quiz Prizren"), is what the message is about: not a follow-up.
    const confidentElsewhere = probability >= this.policy.answer && !this.dependsOnPlace(intent);
    const otherWords = u.tokens.length - u.places.reduce((n, p) => n + p.end - p.start, 0);
    const aboutThePlace = otherWords <= this.policy.followUpWords || (!u.topical && u.tokens.length <= this.policy.followUpTokens);
    if (place && aboutThePlace && !confidentElsewhere) {
      // "and in Peja?", "anything closer to Peja?": a place with few other words, or with no topic of their own,
      // continues the last place question, or asks about offices.
      intent = this.dependsOnPlace(session.lastIntent) ? session.lastIntent! : this.dependsOnPlace(intent) ? intent : 'offices';
      probability = Math.max(probability, u.probabilityOf(intent), this.policy.answer);
    } else if (session.lastIntent && this.kb.answers.has(session.lastIntent)) {
      // A follow-up without a topic word ("where are they based?", "a ko ih koristi?"), of the last answer or of
      // either of two given together.
      for (const last of session.lastIntents ?? [session.lastIntent]) {
        const followed = this.followUp(u, probability, last);
        if (followed) {
          ({ intent, probability } = followed);
          break;
        }
      }
    }
    if (!place && this.dependsOnPlace(intent) && session.lastPlace && this.dependsOnPlace(session.lastIntent) && (u.tokens.length <= 5 || u.cues.anaphora)) {
      // "and their phone?", "the phone number of that office" right after a question about the office in Peja.
      place = this.placesById.get(session.lastPlace);
    }

    if (u.elsewhere && !this.aboutUs(u) && (intent === OUT_OF_SCOPE || this.missionFacts.has(intent))) {
      // "Who heads the OSCE mission in Serbia?": a question about someone else's facts, not ours. A question put to
      // us, or naming the OSCE and Kosovo, that names another body in passing ("my aunt in Skopje asks where your
      // offices are", "someone in Skopje said the OSCE is the only civilian organisation all over Kosovo") is ours.
      return { kind: 'elsewhere', probability };
    }
    if (intent === OUT_OF_SCOPE) return { kind: 'not_understood', probability };
    const contacts = this.toldOwnSituation(u) || REACH.some((c) => u.concepts.has(c));
    // Two answers only for the message read alone (not when the conversation decided its topic): "what does the
    // mission do about the police?", "a sa para ka e sa veta punojne?" (two close answers, or a second still likely).
    const pair = intent === best.intent ? this.closePair(u, probability) : undefined;
    if (pair) return { kind: 'answer', intents: pair, probability, ...(place ? { place } : {}), contacts };
    if (probability >= this.policy.answer) {
      // What the question asks of the topic may be another answer's, or something its answer does not hold.
      const required = this.required(intent, u);
      const resolved = this.resolveAspects(required, u);
      if (resolved === undefined) return { kind: 'not_held', intent: required, probability };
      return { kind: 'answer', intents: [resolved], probability, ...(place ? { place } : {}), contacts };
    }
    if (this.toldOwnSituation(u) && probability >= this.policy.clarify && this.kb.answers.has(intent)) {
      // A story with a question ("my son follows groups on Telegram that call for violence, what can I do?"): its
      // likeliest topic answers better than asking back, and the contacts come with it, so a near miss still
      // tells the person where to turn (measured on the project's blind sets: better than asking back).
      return { kind: 'answer', intents: [intent], probability, ...(place ? { place } : {}), contacts: true };
    }
    if (probability >= this.policy.clarify) {
      const candidates = u.ranked.filter((r) => this.kb.answers.has(r.intent) && r.probability >= this.policy.candidate).slice(0, 3);
      if (candidates.length > 0) return { kind: 'clarify', intents: candidates.map((c) => c.intent), probability };
    }
    return { kind: 'not_understood', probability };
  }

  /**
   * The last answer's topic for a short message that continues it. A short message naming no topic and no place
   * ("since when?", "how many?", "and who was before him?") is about the conversation's topic, unless it is small
   * talk or clearly about something else ("tell me a joke"). Otherwise the conversation is a prior that favours
   * the last topic: strongly when the message points back to it ("those reports", "a ko ih koristi?"), and mildly
   * when it names no topic with confidence; the last topic is taken when, so weighed, it is both the likeliest and
   * likely enough to answer. A short message that points back in the last answer's own words is about it.
   */
  private followUp(u: Understanding, probability: number, last: string): { intent: string; probability: number } | undefined {
    if (u.tokens.length > this.policy.followUpTokens) return undefined;
    const p = u.probabilityOf(last);
    const top = u.ranked[0]!.intent;
    const smallTalk = isDialogueIntent(top) || (top === OUT_OF_SCOPE && probability >= this.policy.sure);
    if (smallTalk) return undefined;
    const continues = { intent: last, probability: Math.max(p, this.policy.answer) };
    if (!u.topical && u.places.length === 0 && u.tokens.length <= this.policy.topiclessWords) return continues;
    // "od toga lokalnih?", "a u manjim opštinama?": a short follow-up about a part of the last answer, in its words.
    if (u.cues.anaphora && u.tokens.length <= this.policy.partWords && u.shareIn(last) >= this.policy.partShare) return continues;
    const prior = u.cues.anaphora ? this.policy.anaphoraPrior : probability < this.policy.answer ? this.policy.followUpPrior : 1;
    if (prior === 1) return undefined;
    const weighed = p * prior + (1 - p);
    const boosted = (p * prior) / weighed;
    return boosted >= this.policy.answer && boosted >= probability / weighed ? { intent: last, probability: boosted } : undefined;
  }

  /** The intent, or its `requires.else` when the question names none of its required concepts. */
  private required(intent: string, u: Understanding): string {
    const requires = this.requires.get(intent);
    return requires && !requires.any.some((c) => u.concepts.has(c)) ? requires.else : intent;
  }

  /**
   * The answer a question gets after its topic's `aspects`, followed through the answer it is sent to ("who led
   * the Mission at first?": mandate → head of mission → not held), a few steps at most; undefined when not held.
   */
  private resolveAspects(intent: string, u: Understanding): string | undefined {
    for (let step = 0; step < ASPECT_STEPS; step++) {
      const aspect = this.aspectOf(intent, u);
      if (aspect === 'not_held') return undefined;
      if (!aspect || aspect === intent) break;
      intent = aspect;
    }
    return intent;
  }

  /**
   * What the message asks of the topic, when the topic's answer does not hold it (intents/*.yaml `aspects`). The
   * aspect `place` is a town other than the headquarters' asked about ("how many work in the Mitrovica centre?":
   * the figures are the Mission's).
   */
  private aspectOf(intent: string, u: Understanding): string | undefined {
    const aspects = this.aspects.get(intent);
    if (!aspects) return undefined;
    // The headquarters' town is the Mission's own ("are the staff only in Prishtina?"): not a place of its own.
    const town = u.asked.some((p) => p.place.kind !== 'headquarters');
    for (const [concept, target] of Object.entries(aspects)) if (u.concepts.has(concept) || (concept === PLACE_ASPECT && town)) return target;
    return undefined;
  }

  /**
   * The two likeliest topics when together they are likely enough to answer and the second is close to the first
   * (neither likely enough alone) or likely in its own right, both answers whose facts the question does not reach
   * beyond and whose required concepts it names.
   */
  private closePair(u: Understanding, probability: number): [string, string] | undefined {
    const [first, second] = u.ranked;
    if (!first || !second || first.probability + second.probability < this.policy.answer) return undefined;
    const close = probability < this.policy.answer && second.probability >= this.policy.pairShare * first.probability;
    if (!close && second.probability < this.policy.pairSecond) return undefined;
    const a = this.kb.answers.get(first.intent);
    const b = this.kb.answers.get(second.intent);
    if (!a || !b || a.kind !== 'knowledge' || b.kind !== 'knowledge') return undefined;
    const plain = (intent: string) => !this.aspectOf(intent, u) && this.required(intent, u) === intent;
    return plain(a.intent) && plain(b.intent) ? [a.intent, b.intent] : undefined;
  }

  /** Someone telling their own situation ("my daughter…", "jam gazetare…", "ja sam policajka…"). */
  private toldOwnSituation(u: Understanding): boolean {
    return (u.cues.self && u.tokens.length >= this.policy.ownSituationWords) || u.tokens.length >= this.policy.storyWords;
  }

  /** The message addresses us ("you", "vi", "ju") or names the OSCE together with Kosovo (the lexicon's concepts). */
  private aboutUs(u: Understanding): boolean {
    return u.cues.you || OURS.every((c) => u.concepts.has(c));
  }
}
