import { LOCALES, languageOf, localeOf, type Locale } from '../core/locale.js';
import { OUT_OF_SCOPE, isDialogueIntent } from '../core/intents.js';
import type { AssistantObserver } from '../core/observer.js';
import type { QuickReply, Reply, ReplyLink, Turn } from '../core/reply.js';
import type { Answer, DialogueKey, IntentPhrases, KnowledgeBase, Place, PlaceCaseName } from '../knowledge/types.js';
import { loadNlu } from '../nlu/model-file.js';
import type { Nlu, Understanding } from '../nlu/nlu.js';
import { clean, fold, hasWords, scriptOf, type Script } from '../nlu/normalize.js';
import { Lexicon, parsePayload, payloadOf, type Action } from './lexicon.js';
import { POLICY, type Policy } from './policy.js';
import { QuizMaster, type QuizStep } from './quiz.js';
import { replyLanguage } from './reply-language.js';
import { SessionStore, type Session, type SessionStoreOptions } from './session.js';

export interface AssistantOptions {
  sessions?: SessionStoreOptions;
  /** A trained NLU to share between assistants (tests, benchmarks); loaded or trained from `kb` when absent. */
  nlu?: Nlu;
  /** Thresholds (see policy.ts); the defaults are the tuned ones. */
  policy?: Policy;
  /** Told of every turn and rating (analytics, metrics). */
  observers?: AssistantObserver[];
  /** Random numbers for drawing quiz questions (tests pass a seeded one). */
  random?: () => number;
}

type Draft = Omit<Reply, 'lang'>;

/** A word asking for something ("pls", "molim te") belongs to a language named at most this many words away. */
const REQUEST_REACH = 5;

/** The aspect of a question that asks about a town (not a concept of the lexicon: the places entity). */
const PLACE_ASPECT = 'place';

/** How many answers a question is followed through by their `aspects` (A → B → not held). */
const ASPECT_STEPS = 3;

/** Concepts of the lexicon that ask for the last answer again ("say that in Serbian", "ponovi na albanskom"). */
const REPEAT = ['repeat'] as const;

/** Concepts of the lexicon that, named together, mean this Mission: the OSCE (OMiK, OSBE, OEBS) and Kosovo. */
const OURS = ['mission', 'kosovo'] as const;

/** Small talk: a message read as one of these may be a question with courtesy attached. */
const SOCIAL: ReadonlySet<string> = new Set(['greeting', 'thanks', 'goodbye', 'acknowledge']);

/**
 * The whole engine behind one call: `respond(turn) → reply`. It knows nothing of channels; a channel turns
 * its messages into turns and replies into its own messages.
 *
 * @example
 *   const assistant = new Assistant(loadKnowledgeOrThrow());
 *   assistant.respond({ sessionId: 's1', text: 'a ka zyre ne peje?' }).messages[0].text
 *   // → "Po, Pejë/Peć është një nga pesë qendrat rajonale të Misionit…"
 */
export class Assistant {
  readonly nlu: Nlu;
  private readonly lexicon: Lexicon;
  private readonly sessions: SessionStore;
  private readonly policy: Policy;
  private readonly observers: AssistantObserver[];
  private readonly quiz: QuizMaster;
  private readonly placesById: ReadonlyMap<string, Place>;
  /** Answers that differ by place (offices, contacts): a town with few other words continues them. */
  private readonly placeAwareIntents: ReadonlySet<string>;
  /** Answers about the Mission's own facts (who, where, how to reach, staff, money, jobs), as opposed to its work. */
  private readonly missionFacts: ReadonlySet<string>;
  /** Per intent, what a question may ask that its answer does not hold (intents/*.yaml `aspects`). */
  private readonly aspects: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Concepts that make a message one intent whatever else it says (intents/*.yaml `decisive`). */
  private readonly decisiveConcepts: ReadonlyMap<string, string>;
  /** Concepts of asking how to reach the Mission (intents/contact.yaml `requires`, less places and names). */
  private readonly reachConcepts: readonly string[];
  /** Concepts one of which a question must name to be an intent (intents/*.yaml `requires`). */
  private readonly requires: ReadonlyMap<string, NonNullable<IntentPhrases['requires']>>;
  /** The turn being answered, for quiz events. */
  private current = { channel: 'unknown', sessionId: '', source: undefined as string | undefined };

  constructor(
    readonly kb: KnowledgeBase,
    options: AssistantOptions = {},
  ) {
    this.nlu = options.nlu ?? loadNlu(kb).nlu;
    this.lexicon = new Lexicon(kb);
    this.sessions = new SessionStore(options.sessions);
    this.policy = options.policy ?? POLICY;
    this.observers = options.observers ?? [];
    this.quiz = new QuizMaster(kb, options.random ?? Math.random);
    const answers = [...kb.answers.values()];
    this.placesById = new Map(kb.places.map((p) => [p.id, p]));
    this.placeAwareIntents = new Set(answers.filter((a) => Object.keys(a.byPlace).length > 0).map((a) => a.intent));
    this.missionFacts = new Set(answers.filter((a) => a.kind === 'noinfo' || ['about', 'facts', 'contact'].includes(a.topic)).map((a) => a.intent));
    this.aspects = new Map(kb.intents.filter((i) => Object.keys(i.aspects).length > 0).map((i) => [i.intent, i.aspects]));
    this.decisiveConcepts = new Map(kb.intents.flatMap((i) => i.decisive.map((c) => [c, i.intent] as const)));
    this.requires = new Map(kb.intents.flatMap((i) => (i.requires ? [[i.intent, i.requires] as const] : [])));
    this.reachConcepts = ['contact', 'phone', 'email'].filter((c) => kb.concepts.some((k) => k.id === c));
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Where a conversation came from (a deep link, a page's `source`), if it said so. */
  sourceOf(sessionId: string): string | undefined {
    return this.sessions.peek(sessionId)?.source;
  }

  respond(turn: Turn): Reply {
    const started = performance.now();
    const session = this.sessions.get(turn.sessionId);
    session.turns += 1;
    if (turn.lang) session.chosen = turn.lang;
    if (turn.source && !session.source) session.source = turn.source;
    // A rating counts only for an answer the assistant gives: a forged payload is answered, not recorded.
    const parsed = turn.payload ? parsePayload(turn.payload) : undefined;
    const rating = parsed?.type === 'rating' && this.kb.answers.has(parsed.intent) ? parsed : undefined;
    this.current = { channel: turn.channel ?? 'unknown', sessionId: turn.sessionId, source: session.source };
    const reply = this.decide(turn, session, parsed);
    session.lang = reply.lang;
    const channel = turn.channel ?? 'unknown';
    for (const o of this.observers) {
      try {
        if (rating)
          o.rating?.({ at: Date.now(), channel, sessionId: turn.sessionId, lang: reply.lang, intent: rating.intent, rating: rating.rating, source: session.source });
        else o.turn?.({ at: Date.now(), channel, sessionId: turn.sessionId, text: turn.payload ? '' : String(turn.text ?? ''), reply, source: session.source, latencyMs: performance.now() - started });
      } catch {
        // An observer's failure (a full disk, say) must never cost a person their answer.
      }
    }
    return reply;
  }

  private decide(turn: Turn, session: Session, action: Action | undefined): Reply {
    // Before the text is read: what the person picked, the conversation, the channel's hint.
    const fallbackLocale = () => replyLanguage(turn.lang, session, undefined, turn.langHint);
    if (action) return this.act(action, fallbackLocale(), session, 'Latn');

    const raw = typeof turn.text === 'string' ? turn.text : '';
    if (raw.length > this.policy.maxChars) return this.line('too_long', fallbackLocale(), { max: String(this.policy.maxChars) });
    const text = clean(raw);
    if (!text) return this.line('empty', fallbackLocale());
    if (!hasWords(text)) return this.line('no_text', fallbackLocale());

    const script = scriptOf(text);
    if (session.quiz) {
      // During a quiz, an option (its number or its words) answers, a stop word ends it; anything else leaves
      // the quiz and is answered as usual.
      const option = this.quiz.optionTyped(session.quiz, text);
      // The quiz's language: no channel hint, it has been speaking one already.
      const locale = replyLanguage(turn.lang, session, undefined, undefined);
      if (option !== undefined) return this.quizAnswer(session, session.quiz.questions[session.quiz.index]!, option, locale);
      if (this.quiz.isStop(text)) return this.act({ type: 'quiz', op: 'stop' }, locale, session, script);
      this.endQuiz(session, 'stop');
    }
    const label = this.lexicon.label(fold(text));
    if (label) {
      const labelled = localeOf(languageOf(label.locale), script === 'Cyrl');
      return this.act(label.action, turn.lang ?? session.chosen ?? labelled, session, script);
    }

    const u = this.understand(text);
    const locale = replyLanguage(turn.lang, session, u, turn.langHint);
    const best = u.ranked[0]!;

    // "Translate this…", "how many member states has the OSCE": not questions about the Mission, whatever they name.
    if (this.decisive(u) === OUT_OF_SCOPE) return this.notUnderstood(locale, best.probability);
    const named = this.lexicon.languageIn(u.tokens);
    const target = named?.value;
    // "na shqip", or a clear request to switch; not a longer message that merely names a language.
    const asksToSwitch = u.tokens.length <= 3 || (best.intent === 'change_language' && best.probability >= this.policy.switchLanguage);
    if (target && asksToSwitch) return this.switchLanguage(target, script, session);
    const requested = named && u.requests.some((i) => i >= named.start - REQUEST_REACH && i < named.end + REQUEST_REACH);
    if (target && requested) {
      // "in english pls, whats the main email": a question asked together with the language to answer it in; from
      // now on the conversation is in that language, as after a switch. Without a question of its own ("can you
      // say that in Serbian for my colleague?") it is a switch, which repeats the last answer.
      const repeat = REPEAT.some((c) => u.concepts.has(c));
      if (repeat || best.probability < this.policy.answer || !this.kb.answers.has(best.intent)) return this.switchLanguage(target, script, session);
      session.chosen = target === 'sr' ? localeOf('sr', script === 'Cyrl') : target;
      return this.decideIntent(session, u, session.chosen);
    }
    return this.decideIntent(session, u, locale);
  }

  /** What to say to a message understood as `u`, in `locale`. */
  private decideIntent(session: Session, u: Understanding, locale: Locale): Reply {
    const best = u.ranked[0]!;
    let { intent, probability } = best;
    if (intent === 'crisis' && probability >= this.policy.crisis) return this.dialogueIntent(intent, probability, locale, session);
    let place: Place | undefined = u.asked[0]?.place;
    // A topic whose answer does not depend on the place, recognised with confidence ("basketball tournament
    // Prishtina", "hotels in Peja" as out of scope, "quiz Prizren"), is what the message is about: not a follow-up.
    const confidentElsewhere = probability >= this.policy.answer && !this.placeAware(intent);
    const otherWords = u.tokens.length - u.places.reduce((n, p) => n + p.end - p.start, 0);
    const aboutThePlace = otherWords <= this.policy.followUpWords || (!u.topical && u.tokens.length <= this.policy.followUpTokens);
    if (place && aboutThePlace && !confidentElsewhere) {
      // "and in Peja?", "anything closer to Peja?": a place with few other words, or with no topic of their own,
      // continues the last place question, or asks about offices.
      intent = this.placeAware(session.lastIntent) ? session.lastIntent! : this.placeAware(intent) ? intent : 'offices';
      probability = Math.max(probability, u.probabilityOf(intent), this.policy.answer);
    } else if (session.lastIntent && this.kb.answers.has(session.lastIntent)) {
      // A follow-up without a topic word ("where are they based?", "a ko ih koristi?"): the last answer's topic
      // is the likeliest reading of a short message that points back to it or shares its words.
      const followed = this.followUp(u, probability, session.lastIntent);
      if (followed) ({ intent, probability } = followed);
    }
    if (!place && this.placeAware(intent) && session.lastPlace && this.placeAware(session.lastIntent) && (u.tokens.length <= 5 || u.cues.anaphora)) {
      // "and their phone?", "the phone number of that office" right after a question about the office in Peja.
      place = this.placesById.get(session.lastPlace);
    }

    if (u.elsewhere && !this.aboutUs(u) && (intent === OUT_OF_SCOPE || this.aboutTheMissionItself(intent))) {
      // "Who heads the OSCE mission in Serbia?": a question about someone else's facts, not ours. A question put to
      // us, or naming the OSCE and Kosovo, that names another body in passing ("my aunt in Skopje asks where your
      // offices are", "someone in Skopje said the OSCE is the only civilian organisation all over Kosovo") is ours.
      return this.line('elsewhere', locale, {}, { confidence: probability, fallback: true, quickReplies: this.groupButtons(locale) });
    }
    if (intent === OUT_OF_SCOPE) return this.notUnderstood(locale, probability);
    // Two answers only for the message read alone (not when the conversation decided its topic).
    const pair = intent === best.intent ? this.closePair(u, probability) : undefined;
    if (pair) {
      // "what does the mission do about the police?": two close answers, together as likely as an answer, say more
      // than a question back ("a sa para ka e sa veta punojne?" asks both).
      const replies = pair.map((i) => this.answerIntent(i, probability, locale, session, place));
      const both = { ...replies[0]!, messages: replies.flatMap((r) => r.messages) };
      return this.toldOwnSituation(u) || this.asksHowToReach(u) ? this.withContacts(both, locale) : both;
    }
    if (probability >= this.policy.answer) {
      // What the question asks of the topic may be something its answer does not hold, or another answer's.
      const requires = this.requires.get(intent);
      if (requires && !requires.any.some((c) => u.concepts.has(c))) intent = requires.else;
      // Followed through another answer's own aspects too ("who led the Mission at first?": mandate → head of
      // mission → not held), a few steps at most.
      for (let step = 0; step < ASPECT_STEPS; step++) {
        const aspect = this.aspectOf(intent, u);
        if (aspect === 'not_held') return this.notHeld(intent, probability, locale);
        if (!aspect || aspect === intent) break;
        intent = aspect;
      }
      const reply = this.answerIntent(intent, probability, locale, session, place);
      return this.toldOwnSituation(u) || this.asksHowToReach(u) ? this.withContacts(reply, locale) : reply;
    }
    if (this.toldOwnSituation(u) && probability >= this.policy.clarify && this.kb.answers.has(intent)) {
      // A story with a question ("my son follows groups on Telegram that call for violence, what can I do?"): its
      // likeliest topic answers better than asking back, and the contacts come with it, so a near miss still
      // tells the person where to turn (measured on the project's blind sets: better than asking back).
      return this.withContacts(this.answerIntent(intent, probability, locale, session, place), locale);
    }
    if (probability >= this.policy.clarify) {
      const candidates = u.ranked
        .filter((r) => this.kb.answers.has(r.intent) && r.probability >= this.policy.candidate)
        .slice(0, 3);
      if (candidates.length > 0) return this.clarify(candidates.map((c) => c.intent), probability, locale);
    }
    return this.notUnderstood(locale, probability);
  }

  /**
   * The NLU's reading of a message in its conversation. Courtesy around a question does not make it small talk:
   * "Добар дан, ко данас управља мисијом?" and "…, thanks in advance" are read without their courtesy words when
   * the whole reads as a greeting or thanks.
   */
  private understand(text: string): Understanding {
    const u = this.nlu.understand(text);
    if (!SOCIAL.has(u.ranked[0]!.intent) || u.contentTokens < 2) return u;
    const bare = this.nlu.understand(text, { dropCourtesy: true });
    const top = bare.ranked[0]!;
    return this.kb.answers.has(top.intent) && top.probability >= this.policy.answer ? bare : u;
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
    let prior = u.cues.anaphora ? this.policy.anaphoraPrior : probability < this.policy.answer ? this.policy.followUpPrior : 1;
    if (prior === 1) return undefined;
    const weighed = p * prior + (1 - p);
    const boosted = (p * prior) / weighed;
    return boosted >= this.policy.answer && boosted >= probability / weighed ? { intent: last, probability: boosted } : undefined;
  }

  /** An intent that a concept of the message makes decisive, whatever else it says (intents/*.yaml `decisive`). */
  private decisive(u: Understanding): string | undefined {
    for (const [concept, intent] of this.decisiveConcepts) if (u.concepts.has(concept)) return intent;
    return undefined;
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

  /** Someone telling their own situation ("my daughter…", "jam gazetare…", "ja sam policajka…"). */
  private toldOwnSituation(u: Understanding): boolean {
    return (u.cues.self && u.tokens.length >= this.policy.ownSituationWords) || u.tokens.length >= this.policy.storyWords;
  }

  /**
   * The two likeliest topics when together they are likely enough to answer and the second is close to the first
   * or likely in its own right, both answers whose facts the question does not reach beyond.
   */
  private closePair(u: Understanding, probability: number): [string, string] | undefined {
    const [first, second] = u.ranked;
    if (!first || !second || first.probability + second.probability < this.policy.answer) return undefined;
    // Neither likely enough alone and the second close to the first; or a first that is, and a second that is
    // still likely ("s koliko para raspolaže i koliki joj je broj uposlenih?" asks two things).
    const close = probability < this.policy.answer && second.probability >= this.policy.pairShare * first.probability;
    if (!close && second.probability < this.policy.pairSecond) return undefined;
    const a = this.kb.answers.get(first.intent);
    const b = this.kb.answers.get(second.intent);
    if (!a || !b || a.kind !== 'knowledge' || b.kind !== 'knowledge') return undefined;
    if (this.aspectOf(a.intent, u) || this.aspectOf(b.intent, u)) return undefined;
    const unmet = (intent: string) => {
      const requires = this.requires.get(intent);
      return requires !== undefined && !requires.any.some((c) => u.concepts.has(c));
    };
    if (unmet(a.intent) || unmet(b.intent)) return undefined;
    return [a.intent, b.intent];
  }

  /** The message asks whom to write to or call ("who would a reporter write to?"): the contacts come with the answer. */
  private asksHowToReach(u: Understanding): boolean {
    return this.reachConcepts.some((c) => u.concepts.has(c));
  }

  /** The answer, then how to reach the Mission, unless it gives the contacts already. */
  private withContacts(reply: Reply, locale: Locale): Reply {
    const answer = reply.intent ? this.kb.answers.get(reply.intent) : undefined;
    if (!answer || reply.fallback || answer.kind !== 'knowledge' || answer.showsContacts || reply.links) return reply;
    return { ...reply, messages: [...reply.messages, { text: this.kb.dialogue.reach_us[locale] }], links: this.contactLinks(locale) };
  }

  /** The topic is right, but what is asked of it is not in the fact sheet: said so, with the contacts. */
  private notHeld(intent: string, confidence: number, locale: Locale): Reply {
    return this.line('not_held', locale, {}, { confidence, fallback: true, quickReplies: [this.intentButton(intent, locale), this.menuButton(locale)] });
  }

  private act(action: Action, locale: Locale, session: Session, script: Script): Reply {
    switch (action.type) {
      case 'intent':
        if (!this.kb.answers.has(action.intent) && !isDialogueIntent(action.intent)) return this.notUnderstood(locale, 0);
        return this.answerIntent(action.intent, 1, locale, session, undefined);
      case 'group':
        return this.group(action.group, locale);
      case 'menu':
        return this.menu(locale);
      case 'language':
        return this.switchLanguage(action.lang, script, session);
      case 'line':
        return this.line(action.key, locale, {}, action.key === 'no_text' ? { quickReplies: this.groupButtons(locale) } : {});
      case 'rating':
        return this.line('thanks_rating', locale, {}, { intent: null, fallback: false, confidence: 1, quickReplies: [this.menuButton(locale)] });
      case 'quiz':
        if (action.op === 'start') return this.quizStart(session, locale);
        if (action.op === 'answer') return this.quizAnswer(session, action.questionId, action.option, locale);
        this.endQuiz(session, 'stop');
        return this.line('quiz_stopped', locale, {}, { intent: 'quiz', confidence: 1, fallback: false, quickReplies: this.groupButtons(locale) });
    }
  }

  private answerIntent(intent: string, confidence: number, locale: Locale, session: Session, place: Place | undefined): Reply {
    const answer = this.kb.answers.get(intent);
    if (!answer) return this.dialogueIntent(intent, confidence, locale, session);
    const placed = place ? this.placeCase(answer, place) : undefined;
    const text = (placed?.text ?? answer.text)[locale].replaceAll('{place}', place?.display[locale] ?? '');
    session.lastIntent = intent;
    session.lastPlace = placed ? place!.id : undefined;
    return {
      lang: locale,
      intent,
      confidence,
      fallback: placed ? placed.fallback : answer.kind === 'noinfo',
      messages: [{ text }],
      quickReplies: [...answer.followUps.map((f) => this.intentButton(f, locale)), this.menuButton(locale)],
      ...((placed ?? answer).showsContacts ? { links: this.contactLinks(locale) } : {}),
      feedback: [
        { label: '👍', payload: payloadOf({ type: 'rating', rating: 1, intent }) },
        { label: '👎', payload: payloadOf({ type: 'rating', rating: -1, intent }) },
      ],
      ...(placed ? { place: place!.id } : {}),
    };
  }

  private dialogueIntent(intent: string, confidence: number, locale: Locale, session: Session): Reply {
    switch (intent) {
      case 'greeting': {
        const others = session.turns <= 1 ? this.languageButtons().filter((b) => b.payload !== `l:${locale}`) : [];
        return this.line('greeting', locale, {}, { intent, confidence, quickReplies: [...this.groupButtons(locale), ...others] });
      }
      case 'help':
        return this.line('help', locale, {}, { intent, confidence, quickReplies: this.groupButtons(locale) });
      case 'thanks':
      case 'acknowledge':
        return this.line(intent, locale, {}, { intent, confidence, quickReplies: [this.menuButton(locale)] });
      case 'goodbye':
      case 'bot_identity':
      case 'crisis':
        return this.line(intent, locale, {}, { intent, confidence });
      case 'topics_menu':
        return { ...this.menu(locale), confidence };
      case 'change_language':
        return this.line('language_choose', locale, {}, { intent, confidence, quickReplies: this.languageButtons() });
      case 'quiz':
        return { ...this.quizStart(session, locale), confidence };
      default:
        return this.notUnderstood(locale, confidence);
    }
  }

  private switchLanguage(target: Locale | 'sr', script: Script, session: Session): Reply {
    // "Srpski" or "српски" says the language; the script it is written in says the script.
    const locale = target === 'sr' ? localeOf('sr', script === 'Cyrl') : target;
    session.chosen = locale;
    const switched = this.kb.dialogue.language_switched[locale];
    const last = session.lastIntent ? this.kb.answers.get(session.lastIntent) : undefined;
    if (!last) {
      const menu = this.menu(locale);
      return { ...menu, intent: 'change_language', messages: [{ text: switched }, ...menu.messages] };
    }
    const place = session.lastPlace ? this.placesById.get(session.lastPlace) : undefined;
    const repeated = this.answerIntent(last.intent, 1, locale, session, place);
    return { ...repeated, intent: 'change_language', messages: [{ text: switched }, ...repeated.messages] };
  }

  private menu(locale: Locale): Reply {
    return this.line('topics_intro', locale, {}, { intent: 'topics_menu', confidence: 1, quickReplies: this.groupButtons(locale) });
  }

  private group(id: string, locale: Locale): Reply {
    const group = this.kb.topics.find((g) => g.id === id);
    if (!group) return this.menu(locale);
    return this.line('group_intro', locale, { group: group.label[locale] }, {
      intent: 'topics_menu',
      confidence: 1,
      quickReplies: [...group.intents.map((i) => this.intentButton(i, locale)), this.menuButton(locale)],
    });
  }

  private clarify(intents: string[], confidence: number, locale: Locale): Reply {
    return this.line('clarify', locale, {}, {
      confidence,
      fallback: true,
      quickReplies: [...intents.map((i) => this.intentButton(i, locale)), this.menuButton(locale)],
    });
  }

  private notUnderstood(locale: Locale, confidence: number): Reply {
    return this.line('not_understood', locale, {}, { confidence, fallback: true, quickReplies: this.groupButtons(locale) });
  }

  /** A reply made of one of the assistant's own lines. */
  private line(key: DialogueKey, locale: Locale, values: Record<string, string> = {}, draft: Partial<Draft> = {}): Reply {
    let text = this.kb.dialogue[key][locale];
    for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{${k}}`, v);
    const links = this.kb.linesWithContacts.has(key) ? { links: this.contactLinks(locale) } : {};
    return { lang: locale, intent: null, confidence: 0, fallback: draft.intent == null, quickReplies: [], ...links, ...draft, messages: [{ text }] };
  }

  private contactLinks(locale: Locale): ReplyLink[] {
    return this.kb.contactLinks.map((l) => ({ label: l.label[locale], url: l.url }));
  }

  private placeCase(answer: Answer, place: Place) {
    const name: PlaceCaseName = place.kind === 'municipality' ? 'other_place' : place.kind;
    return answer.byPlace[name];
  }

  /** The message addresses us ("you", "vi", "ju") or names the OSCE together with Kosovo (the lexicon's concepts). */
  private aboutUs(u: Understanding): boolean {
    return u.cues.you || OURS.every((c) => u.concepts.has(c));
  }

  private aboutTheMissionItself(intent: string): boolean {
    return this.missionFacts.has(intent);
  }

  private placeAware(intent: string | undefined): boolean {
    return intent !== undefined && this.placeAwareIntents.has(intent);
  }

  private intentButton(intent: string, locale: Locale): QuickReply {
    const label = this.kb.answers.get(intent)?.label[locale] ?? intent;
    return { label, payload: payloadOf({ type: 'intent', intent }) };
  }

  private menuButton(locale: Locale): QuickReply {
    return { label: this.kb.dialogue.menu_button[locale], payload: payloadOf({ type: 'menu' }) };
  }

  private groupButtons(locale: Locale): QuickReply[] {
    return [
      ...this.kb.topics.map((g) => ({ label: g.label[locale], payload: payloadOf({ type: 'group', group: g.id }) })),
      { label: this.kb.dialogue.quiz_button[locale], payload: payloadOf({ type: 'quiz', op: 'start' }) },
    ];
  }

  private quizStart(session: Session, locale: Locale): Reply {
    session.quiz = this.quiz.newRound();
    this.emitQuiz({ kind: 'start' });
    const step = this.quiz.ask(session.quiz, locale);
    return this.quizReply({ ...step, lines: [this.kb.dialogue.quiz_intro[locale], ...step.lines] }, locale);
  }

  private quizAnswer(session: Session, questionId: string, option: number, locale: Locale): Reply {
    const round = session.quiz;
    // A press on an old question (or after the quiz ended) shows where things are instead of scoring it.
    if (!round || round.questions[round.index] !== questionId) return round ? this.quizReply(this.quiz.ask(round, locale), locale) : this.menu(locale);
    const { step, correct } = this.quiz.answer(round, option, locale);
    this.emitQuiz({ kind: 'answer', questionId, correct });
    if (step.finished) this.endQuiz(session, 'finish');
    return this.quizReply(step, locale);
  }

  private quizReply(step: QuizStep, locale: Locale): Reply {
    return {
      lang: locale,
      intent: 'quiz',
      confidence: 1,
      fallback: false,
      messages: step.lines.map((text) => ({ text })),
      quickReplies: step.buttons,
      ...(step.prompt ? { quiz: step.prompt } : {}),
    };
  }

  /** Ends the round in progress, if any, and counts how it ended. */
  private endQuiz(session: Session, kind: 'stop' | 'finish'): void {
    if (session.quiz) this.emitQuiz({ kind, score: session.quiz.score });
    session.quiz = undefined;
  }

  private emitQuiz(e: { kind: 'start' | 'answer' | 'finish' | 'stop'; questionId?: string; correct?: boolean; score?: number }): void {
    for (const o of this.observers) {
      try {
        o.quiz?.({ at: Date.now(), ...this.current, ...e });
      } catch {
        // Counting must never cost a person their answer.
      }
    }
  }

  private languageButtons(): QuickReply[] {
    return LOCALES.map((l) => ({ label: this.kb.languageNames[l], payload: payloadOf({ type: 'language', lang: l }) }));
  }
}
