import type { Locale } from './locale.js';
import type { Reply } from './reply.js';

/** One answered message, as told to observers (analytics, metrics). */
export interface TurnEvent {
  at: number;
  channel: string;
  sessionId: string;
  /** What the person typed (empty for a pressed button). Observers must not log it: it may be personal. */
  text: string;
  reply: Reply;
  source?: string | undefined;
  latencyMs: number;
  /** The conversation's automatic greeting (see Turn.opening), not a message the person sent. */
  opening?: boolean;
}

/** A 👍 or 👎 on an answer. */
export interface RatingEvent {
  at: number;
  channel: string;
  sessionId: string;
  lang: Locale;
  intent: string;
  rating: 1 | -1;
  source?: string | undefined;
}

/** A step of a quiz round: started, a question answered, finished (all questions), stopped early. */
export interface QuizEvent {
  at: number;
  channel: string;
  sessionId: string;
  kind: 'start' | 'answer' | 'finish' | 'stop';
  questionId?: string;
  correct?: boolean;
  score?: number;
  source?: string | undefined;
}

/**
 * Told about every turn and rating, so that the engine itself stays free of I/O: storage and metrics subscribe.
 * Observers must not throw; the engine ignores what they do, except that a rating observer returning false could
 * not keep the rating (storage failed), so the person should not be thanked for it.
 */
export interface AssistantObserver {
  turn?(event: TurnEvent): void;
  rating?(event: RatingEvent): boolean | void;
  quiz?(event: QuizEvent): void;
}
