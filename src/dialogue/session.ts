import { LRUCache } from 'lru-cache';
import type { Locale } from '../core/locale.js';
import type { QuizRound } from './quiz.js';

/**
 * What the assistant remembers of one conversation, for follow-ups and the reply language. Plain JSON data (strings,
 * numbers, arrays, plain objects; no Map, Set, Date or function), so that any store can keep it as text.
 */
export interface Session {
  /** The language the conversation is in (last reply's language). */
  lang?: Locale;
  /** A language the person chose explicitly (button, `lang`, "na shqip"): it wins over detection. */
  chosen?: Locale;
  /** The last answer given, to repeat it in another language or follow up on it. */
  lastIntent?: string;
  /** Every answer of the last reply (two when two close topics were answered together): follow-ups may take up either. */
  lastIntents?: readonly string[];
  lastPlace?: string;
  /** Where the conversation came from (a poster's QR code, a web page), for counting. */
  source?: string;
  /** Answers given in this conversation and not yet rated (the most recent few): only these can be rated, once. */
  rateable?: string[];
  /** A quiz round in progress. */
  quiz?: QuizRound;
  turns: number;
}

/**
 * Where conversations are kept between turns, behind one small interface (like botbuilder's `Storage` behind
 * `ConversationState`, and Rasa's tracker and lock stores): in this process's memory by default, a shared store
 * when several instances serve one conversation.
 */
export interface SessionStore {
  /** The conversation's state, or undefined when it is new or has expired. Reading it refreshes its expiry. */
  load(id: string): Promise<Session | undefined>;
  /** Keeps the conversation's state after a turn, with a fresh expiry. */
  save(id: string, session: Session): Promise<void>;
  /** Runs `fn` holding the conversation's lock: turns of one conversation one at a time, in the order they came. */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /** The conversation's state without refreshing its expiry (reports). */
  peek(id: string): Promise<Session | undefined>;
  /** How many conversations are kept, when the store knows without asking a server (memory); undefined otherwise. */
  readonly size?: number;
}

export interface SessionStoreOptions {
  /** Idle conversations are forgotten after this many milliseconds. */
  ttlMs: number;
  /** At most this many conversations are kept; the least recently used go first. */
  max: number;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
}

export const DEFAULT_SESSIONS: SessionStoreOptions = { ttlMs: 30 * 60_000, max: 50_000 };

/**
 * Turns of one conversation one at a time, in the order they came: a promise chain per conversation, forgotten when
 * its last turn ends. Chained promises only ever resolve, so a turn that failed still lets the next one in.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(id);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => mine) : mine;
    this.tails.set(id, tail);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    }
  }
}

/**
 * Conversations in memory, with an idle expiry and a bound, so memory stays flat however many people chat. Each is
 * kept as JSON text, as a shared store keeps it, so that state which would not survive one (a Map, a Date) shows up
 * in every test; turns of one conversation wait for each other on a promise chain.
 */
export class MemorySessionStore implements SessionStore {
  private readonly cache: LRUCache<string, string>;
  private readonly turns = new TurnQueue();

  constructor(options: SessionStoreOptions = DEFAULT_SESSIONS) {
    this.cache = new LRUCache<string, string>({
      max: options.max,
      ttl: options.ttlMs,
      updateAgeOnGet: true,
      // A given clock is read on every access (lru-cache otherwise caches the time between timer ticks).
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  /** `load`, at once: for the synchronous `Assistant.respond` of tests and tools. */
  loadNow(id: string): Session | undefined {
    const kept = this.cache.get(id);
    return kept === undefined ? undefined : (JSON.parse(kept) as Session);
  }

  /** `save`, at once. */
  saveNow(id: string, session: Session): void {
    this.cache.set(id, JSON.stringify(session));
  }

  async load(id: string): Promise<Session | undefined> {
    return this.loadNow(id);
  }

  async save(id: string, session: Session): Promise<void> {
    this.saveNow(id, session);
  }

  async peek(id: string): Promise<Session | undefined> {
    const kept = this.cache.peek(id);
    return kept === undefined ? undefined : (JSON.parse(kept) as Session);
  }

  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.turns.run(id, fn);
  }

  get size(): number {
    return this.cache.size;
  }
}
