import { LRUCache } from 'lru-cache';
import type { Locale } from '../core/locale.js';
import type { QuizRound } from './quiz.js';

/** What the assistant remembers of one conversation, for follow-ups and the reply language. */
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

export interface SessionStoreOptions {
  /** Idle conversations are forgotten after this many milliseconds. */
  ttlMs: number;
  /** At most this many conversations are kept; the least recently used go first. */
  max: number;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
}

export const DEFAULT_SESSIONS: SessionStoreOptions = { ttlMs: 30 * 60_000, max: 50_000 };

/** Conversations in memory, with an idle expiry and a bound, so memory stays flat however many people chat. */
export class SessionStore {
  private readonly cache: LRUCache<string, Session>;

  constructor(options: SessionStoreOptions = DEFAULT_SESSIONS) {
    this.cache = new LRUCache<string, Session>({
      max: options.max,
      ttl: options.ttlMs,
      updateAgeOnGet: true,
      // A given clock is read on every access (lru-cache otherwise caches the time between timer ticks).
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  get(id: string): Session {
    let session = this.cache.get(id);
    if (!session) this.cache.set(id, (session = { turns: 0 }));
    return session;
  }

  /** The conversation, if it exists, without creating it or refreshing its expiry. */
  peek(id: string): Session | undefined {
    return this.cache.peek(id);
  }

  get size(): number {
    return this.cache.size;
  }
}
