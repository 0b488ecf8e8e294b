import { LOCALES, languageOf, localeOf, type Locale } from '../core/locale.js';
import { OUT_OF_SCOPE, isDialogueIntent } from '../core/intents.js';
import type { AssistantObserver, QuizEvent } from '../core/observer.js';
import type { QuickReply, Reply, ReplyLink, Turn } from '../core/reply.js';
import type { Answer, DialogueKey, KnowledgeBase, Place, PlaceCaseName } from '../knowledge/types.js';
import { loadNlu } from '../nlu/model-file.js';
import type { Nlu, Understanding } from '../nlu/nlu.js';
import { clean, fold, hasWords, scriptOf, type Script } from '../nlu/normalize.js';
import { Lexicon, parsePayload, payloadOf, type Action, type Request } from './lexicon.js';
import { POLICY, type Policy } from './policy.js';
import { QuizMaster, type QuizStep } from './quiz.js';
import { replyLanguage } from './reply-language.js';
import { Reader } from './reading.js';
import { MemorySessionStore, type Session, type SessionStore, type SessionStoreOptions } from './session.js';

export interface AssistantOptions {
  /** Where conversations are kept: a store, or the expiry and bound of one in memory (the default). */
  sessions?: SessionStore | SessionStoreOptions;
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

/**
 * What travels with one turn through the engine, passed along rather than kept on the object, where turns of
 * different conversations answered at the same time would mix.
 */
interface TurnContext {
  readonly channel: string;
  readonly sessionId: string;
  /** Where the conversation came from, once its session is loaded. */
  source: string | undefined;
  /** `performance.now()` when the turn arrived, before it waited for its conversation. */
  readonly started: number;
  /** The turn's quiz steps, told to observers once the conversation is saved. */
  readonly quiz: Omit<QuizEvent, 'channel' | 'sessionId' | 'source'>[];
  /** A 👍/👎: told to observers as a rating (at once: its reply says whether it was kept), not as a message. */
  rated: boolean;
}

/** A word asking for something ("pls", "molim te") belongs to a language named at most this many words away. */
const REQUEST_REACH = 5;
/** A language named at most this many words after "not" ("doesn't really speak Albanian") is the one not wanted. */
const NEGATION_REACH = 4;

/** How many of a conversation's last answers can still be rated. */
const RATEABLE = 10;

/** Concepts of the lexicon that ask for the last answer again ("say that in Serbian", "ponovi na albanskom"). */
const REPEAT = ['repeat'] as const;

/**
 * The whole engine behind one call: `await handle(turn) → reply`. It knows nothing of channels; a channel turns
 * its messages into turns and replies into its own messages. A turn takes its conversation's lock, loads the
 * conversation from the session store, is answered by the synchronous core, and the conversation is saved before
 * the lock is released; then observers are told. `respond(turn)` is the same turn at once, over the in-memory store
 * (unit tests, tools).
 *
 * @example
 *   const assistant = new Assistant(loadKnowledgeOrThrow());
 *   (await assistant.handle({ sessionId: 's1', text: 'a ka zyre ne peje?' })).messages[0].text
 *   // → "Po, Pejë/Peć është një nga pesë qendrat rajonale të Misionit…"
 */
export class Assistant {
  readonly nlu: Nlu;
  private readonly lexicon: Lexicon;
  private readonly sessions: SessionStore;
  private readonly policy: Policy;
  private readonly observers: AssistantObserver[];
  private readonly quiz: QuizMaster;
  private readonly reader: Reader;
  private readonly placesById: ReadonlyMap<string, Place>;

  constructor(
    readonly kb: KnowledgeBase,
    options: AssistantOptions = {},
  ) {
    this.nlu = options.nlu ?? loadNlu(kb).nlu;
    this.lexicon = new Lexicon(kb);
    const sessions = options.sessions;
    this.sessions = sessions && 'load' in sessions ? sessions : new MemorySessionStore(sessions);
    this.policy = options.policy ?? POLICY;
    this.observers = options.observers ?? [];
    this.quiz = new QuizMaster(kb, options.random ?? Math.random);
    this.reader = new Reader(kb, this.nlu, this.policy);
    this.placesById = new Map(kb.places.map((p) => [p.id, p]));
  }

  /** Conversations kept, when the store knows without asking a server (in memory); undefined otherwise. */
  get activeSessions(): number | undefined {
    return this.sessions.size;
  }

  /** Where a conversation came from (a deep link, a page's `source`), if it said so. */
  async sourceOf(sessionId: string): Promise<string | undefined> {
    return (await this.sessions.peek(sessionId))?.source;
  }

  /**
   * The entry point of every channel: answers one turn of a conversation, turns of one conversation one at a time
   * (whichever comes first is answered first, and the next one sees what it left), others side by side.
   */
  async handle(turn: Turn): Promise<Reply> {
    const context = this.contextOf(turn);
    const reply = await this.sessions.withLock(turn.sessionId, async () => {
      const session = (await this.sessions.load(turn.sessionId)) ?? { turns: 0 };
      const answered = this.answer(turn, session, context);
      await this.sessions.save(turn.sessionId, session);
      return answered;
    });
    this.tell(turn, reply, context);
    return reply;
  }

  /**
   * `handle`, at once, for unit tests and tools in one process: only over the in-memory store, and not while
   * `handle` is answering the same conversation.
   */
  respond(turn: Turn): Reply {
    if (!(this.sessions instanceof MemorySessionStore)) throw new Error('Assistant.respond works on the in-memory session store only; use handle');
    const context = this.contextOf(turn);
    const session = this.sessions.loadNow(turn.sessionId) ?? { turns: 0 };
    const reply = this.answer(turn, session, context);
    this.sessions.saveNow(turn.sessionId, session);
    this.tell(turn, reply, context);
    return reply;
  }

  private contextOf(turn: Turn): TurnContext {
    return { channel: turn.channel ?? 'unknown', sessionId: turn.sessionId, source: undefined, started: performance.now(), quiz: [], rated: false };
  }

  /** The synchronous core: one turn of the conversation `session` (changed in place), with its context. */
  private answer(turn: Turn, session: Session, context: TurnContext): Reply {
    session.turns += 1;
    if (turn.lang) session.chosen = turn.lang;
    if (turn.source && !session.source) session.source = turn.source;
    context.source = session.source;
    const parsed = turn.payload ? parsePayload(turn.payload) : undefined;
    if (parsed?.type === 'rating') {
      context.rated = true;
      const reply = this.rate(parsed, replyLanguage(turn.lang, session, undefined, turn.langHint), session, context);
      session.lang = reply.lang;
      return reply;
    }
    const reply = this.decide(turn, session, parsed, context);
    session.lang = reply.lang;
    return reply;
  }

  /** Tells observers of the turn once it is answered and its conversation saved. */
  private tell(turn: Turn, reply: Reply, context: TurnContext): void {
    const { channel, sessionId, source } = context;
    for (const e of context.quiz) {
      for (const o of this.observers) {
        try {
          o.quiz?.({ ...e, channel, sessionId, source });
        } catch {
          // Counting must never cost a person their answer.
        }
      }
    }
    if (context.rated) return;
    for (const o of this.observers) {
      try {
        o.turn?.({ at: Date.now(), channel, sessionId, text: turn.payload ? '' : String(turn.text ?? ''), reply, source, latencyMs: performance.now() - context.started, opening: turn.opening === true });
      } catch {
        // An observer's failure (a full disk, say) must never cost a person their answer.
      }
    }
  }

  /**
   * A 👍 or 👎: counted only for an answer given in this conversation and not rated yet (a forged or repeated
   * payload is answered, not recorded), and the person is thanked only when it was kept.
   */
  private rate(rating: Extract<Action, { type: 'rating' }>, locale: Locale, session: Session, context: TurnContext): Reply {
    const given = session.rateable?.indexOf(rating.intent) ?? -1;
    const draft = { intent: null, fallback: false, confidence: 1, quickReplies: [this.menuButton(locale)] };
    if (given < 0) return this.line('rating_not_counted', locale, {}, draft);
    session.rateable!.splice(given, 1);
    let kept = true;
    for (const o of this.observers) {
      try {
        const event = { at: Date.now(), channel: context.channel, sessionId: context.sessionId, lang: locale, intent: rating.intent, rating: rating.rating, source: session.source };
        if (o.rating?.(event) === false) kept = false;
      } catch {
        kept = false;
      }
    }
    // Lost to a storage failure: it may be given again.
    if (!kept) session.rateable!.push(rating.intent);
    return this.line(kept ? 'thanks_rating' : 'rating_failed', locale, {}, draft);
  }

  private decide(turn: Turn, session: Session, action: Request | undefined, context: TurnContext): Reply {
    // Before the text is read: what the person picked, the conversation, the channel's hint.
    const fallbackLocale = () => replyLanguage(turn.lang, session, undefined, turn.langHint);
    if (action) return this.act(action, fallbackLocale(), session, 'Latn', context);

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
      if (option !== undefined) return this.quizAnswer(session, session.quiz.questions[session.quiz.index]!, option, locale, context);
      if (this.quiz.isStop(text)) return this.act({ type: 'quiz', op: 'stop' }, locale, session, script, context);
      this.endQuiz(session, 'stop', context);
    }
    const label = this.lexicon.label(fold(text));
    if (label) {
      const labelled = localeOf(languageOf(label.locale), script === 'Cyrl');
      return this.act(label.action, turn.lang ?? session.chosen ?? labelled, session, script, context);
    }

    const u = this.reader.understand(text);
    const locale = replyLanguage(turn.lang, session, u, turn.langHint);
    const best = u.ranked[0]!;

    // "Translate this…", "how many member states has the OSCE": not questions about the Mission, whatever they name.
    if (this.reader.decisive(u) === OUT_OF_SCOPE) return this.notUnderstood(locale, best.probability);
    const named = this.wantedLanguage(u);
    const target = named?.value;
    // "na shqip", or a clear request to switch; not a longer message that merely names a language.
    const asksToSwitch = u.tokens.length <= 3 || (best.intent === 'change_language' && best.probability >= this.policy.switchLanguage);
    if (target && asksToSwitch) return this.switchLanguage(target, script, session, context);
    const requested = named && u.requests.some((i) => i >= named.start - REQUEST_REACH && i < named.end + REQUEST_REACH);
    if (target && requested) {
      // "in english pls, whats the main email": a question asked together with the language to answer it in; from
      // now on the conversation is in that language, as after a switch. Without a question of its own ("can you
      // say that in Serbian for my colleague?") it is a switch, which repeats the last answer.
      const repeat = REPEAT.some((c) => u.concepts.has(c));
      if (repeat || best.probability < this.policy.answer || !this.kb.answers.has(best.intent)) return this.switchLanguage(target, script, session, context);
      session.chosen = target === 'sr' ? localeOf('sr', script === 'Cyrl') : target;
      return this.decideIntent(session, u, session.chosen, context);
    }
    return this.decideIntent(session, u, locale, context);
  }

  /**
   * The language a message names for the reply: the one named, or, when it is denied ("my colleague doesn't speak
   * Albanian, repeat that"), the message's own language if that is another.
   */
  private wantedLanguage(u: Understanding): { value: Locale | 'sr'; start: number; end: number } | undefined {
    if (u.negations.length === 0) return this.lexicon.languageIn(u.tokens);
    // "ne razume srpski, na engleskom molim": a "not" denies the first language named after it, and the next one
    // named is the wanted one.
    let after = 0;
    let denied: { value: Locale | 'sr'; start: number; end: number } | undefined;
    for (const span of this.lexicon.languagesIn(u.tokens)) {
      if (!u.negations.some((i) => i >= Math.max(after, span.start - NEGATION_REACH) && i < span.start)) return span;
      denied ??= span;
      after = span.end;
    }
    if (!denied) return undefined;
    const own = u.language.language;
    return own !== (denied.value === 'sr' ? 'sr' : languageOf(denied.value)) ? { ...denied, value: own } : undefined;
  }

  /** What to say to a message understood as `u`, in `locale`: the reading, then the reply. */
  private decideIntent(session: Session, u: Understanding, locale: Locale, context: TurnContext): Reply {
    const best = u.ranked[0]!;
    if (best.intent === 'crisis' && best.probability >= this.policy.crisis) return this.dialogueIntent(best.intent, best.probability, locale, session, context);
    const reading = this.reader.read(u, session);
    switch (reading.kind) {
      case 'answer': {
        // The first answer is the conversation's topic from now on (built last, so that it is the one remembered); a
        // follow-up may take up either.
        const replies = [...reading.intents].reverse().map((i) => this.answerIntent(i, reading.probability, locale, session, reading.place, context)).reverse();
        session.lastIntents = reading.intents;
        const reply = { ...replies[0]!, messages: replies.flatMap((r) => r.messages) };
        return reading.contacts ? this.withContacts(reply, locale) : reply;
      }
      case 'not_held':
        return this.notHeld(reading.intent, reading.probability, locale);
      case 'elsewhere':
        return this.line('elsewhere', locale, {}, { confidence: reading.probability, fallback: true, quickReplies: this.groupButtons(locale) });
      case 'clarify':
        return this.clarify([...reading.intents], reading.probability, locale);
      case 'not_understood':
        return this.notUnderstood(locale, reading.probability);
    }
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

  private act(action: Request, locale: Locale, session: Session, script: Script, context: TurnContext): Reply {
    switch (action.type) {
      case 'intent':
        if (!this.kb.answers.has(action.intent) && !isDialogueIntent(action.intent)) return this.notUnderstood(locale, 0);
        return this.answerIntent(action.intent, 1, locale, session, undefined, context);
      case 'group':
        return this.group(action.group, locale);
      case 'menu':
        return this.menu(locale);
      case 'language':
        return this.switchLanguage(action.lang, script, session, context);
      case 'line':
        return this.line(action.key, locale, {}, action.key === 'no_text' ? { quickReplies: this.groupButtons(locale) } : {});
      case 'quiz':
        if (action.op === 'start') return this.quizStart(session, locale, context);
        if (action.op === 'answer') return this.quizAnswer(session, action.questionId, action.option, locale, context);
        this.endQuiz(session, 'stop', context);
        return this.line('quiz_stopped', locale, {}, { intent: 'quiz', confidence: 1, fallback: false, quickReplies: this.groupButtons(locale) });
    }
  }

  private answerIntent(intent: string, confidence: number, locale: Locale, session: Session, place: Place | undefined, context: TurnContext): Reply {
    const answer = this.kb.answers.get(intent);
    if (!answer) return this.dialogueIntent(intent, confidence, locale, session, context);
    const placed = place ? this.placeCase(answer, place) : undefined;
    const text = (placed?.text ?? answer.text)[locale].replaceAll('{place}', place?.display[locale] ?? '');
    session.lastIntent = intent;
    session.lastIntents = [intent];
    session.lastPlace = placed ? place!.id : undefined;
    // Its 👍/👎 may be pressed once, while it is among the last few answers.
    session.rateable = [...(session.rateable ?? []).filter((i) => i !== intent), intent].slice(-RATEABLE);
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

  private dialogueIntent(intent: string, confidence: number, locale: Locale, session: Session, context: TurnContext): Reply {
    switch (intent) {
      case 'greeting': {
        const others = session.turns <= 1 ? this.languageButtons().filter((b) => b.payload !== payloadOf({ type: 'language', lang: locale })) : [];
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
        return { ...this.quizStart(session, locale, context), confidence };
      default:
        return this.notUnderstood(locale, confidence);
    }
  }

  private switchLanguage(target: Locale | 'sr', script: Script, session: Session, context: TurnContext): Reply {
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
    const repeated = this.answerIntent(last.intent, 1, locale, session, place, context);
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

  private quizStart(session: Session, locale: Locale, context: TurnContext): Reply {
    session.quiz = this.quiz.newRound();
    context.quiz.push({ at: Date.now(), kind: 'start' });
    const step = this.quiz.ask(session.quiz, locale);
    return this.quizReply({ ...step, lines: [this.kb.dialogue.quiz_intro[locale], ...step.lines] }, locale);
  }

  private quizAnswer(session: Session, questionId: string, option: number, locale: Locale, context: TurnContext): Reply {
    const round = session.quiz;
    // A press on an old question (or after the quiz ended) shows where things are instead of scoring it.
    if (!round || round.questions[round.index] !== questionId) return round ? this.quizReply(this.quiz.ask(round, locale), locale) : this.menu(locale);
    const { step, correct } = this.quiz.answer(round, option, locale);
    context.quiz.push({ at: Date.now(), kind: 'answer', questionId, correct });
    if (step.finished) this.endQuiz(session, 'finish', context);
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
  private endQuiz(session: Session, kind: 'stop' | 'finish', context: TurnContext): void {
    if (session.quiz) context.quiz.push({ at: Date.now(), kind, score: session.quiz.score });
    session.quiz = undefined;
  }

  private languageButtons(): QuickReply[] {
    return LOCALES.map((l) => ({ label: this.kb.languageNames[l], payload: payloadOf({ type: 'language', lang: l }) }));
  }
}
