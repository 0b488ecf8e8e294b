import type Database from 'better-sqlite3';
import type { QuizEvent, RatingEvent, TurnEvent } from '../core/observer.js';
import { NEVER_KEPT } from '../core/intents.js';
import { fold } from '../nlu/normalize.js';
import { READY_PROBE } from './db.js';
import { ProblemLog, classify, type StorageLog, type StorageOperation, type StorageProblem, type StorageReason } from './faults.js';
import { printable } from './printable.js';
import { Pseudonyms } from './pseudonyms.js';
import type { Records } from './records.js';
import { scrub } from './scrub.js';

/** Below this confidence an answered question is also kept for review, as a possible miss. */
const LOW_CONFIDENCE = 0.6;
const MAX_KEPT_TEXT = 500;
const DAY_MS = 86_400_000;

/**
 * The period a report covers, as [from, to) in milliseconds: `to` is the end of its day, or now; `from` the start
 * of its day, or `days` (30) before the end. Dates that do not parse give NaN.
 */
export function periodRange(p: { days?: number | undefined; from?: string | undefined; to?: string | undefined }, now = Date.now()): [number, number] {
  const end = p.to ? Date.parse(p.to) + DAY_MS : now;
  return [p.from ? Date.parse(p.from) : end - (p.days ?? 30) * DAY_MS, end];
}

/** What `npm run report` prints and the staff page shows, for one period. */
export interface Report {
  from: string;
  to: string;
  /**
   * Messages people sent (typed or a button pressed; not the greeting shown when a chat opens), the conversations
   * they sent them in, and the conversations opened (a page loaded, Telegram's Start), with or without a message.
   */
  totals: { turns: number; conversations: number; opened: number; fallbacks: number; ratings: number };
  /** The most frequent questions the assistant could not answer (or barely), grouped by folded text. */
  unanswered: { lang: string; text: string; count: number; lastAt: string }[];
  fallbackRates: { lang: string; channel: string; turns: number; fallbacks: number; rate: number }[];
  topics: { intent: string; count: number }[];
  ratings: { intent: string; up: number; down: number }[];
  /** Conversations opened from each source (a poster's code, a page), and the messages sent in them. */
  sources: { source: string; conversations: number; turns: number }[];
  /** Quiz rounds started and finished (per source, for events), and answers right per question. */
  quiz: {
    rounds: { source: string | null; started: number; finished: number }[];
    /** By question: its id and its text (English). */
    questions: { question: string; text: string; answered: number; right: number }[];
  };
}

/** How long counted turns wait to be written together (one transaction instead of one per message). */
const FLUSH_MS = 50;
/** After a failed write, /readyz says not ready for this long unless a write succeeds meanwhile. */
const FAILURE_SHOWN_MS = 60_000;

export interface AnalyticsOptions {
  /** Key of the conversations' pseudonyms (PSEUDONYM_KEY, ≥ 32 characters); random for this process when absent. */
  pseudonymKey?: string | undefined;
  /** Where storage problems are logged: once a minute per kind, with what to do. */
  log?: StorageLog | undefined;
  /** Told of every storage failure, e.g. to count it in a metric. */
  onError?: ((operation: StorageOperation, problem: StorageProblem) => void) | undefined;
  /** A quiz question's text for reports (staff read questions, not ids); the id is shown when absent. */
  quizQuestion?: ((id: string) => string | undefined) | undefined;
}

/** For /readyz: whether storing works, and if not why (no paths: the answer is public). */
export type StorageCheck = { ok: true } | { ok: false; reason: StorageReason };

/**
 * Keeps what staff need to improve the content – answered turns, questions that fell back (with personal data
 * removed), ratings – and no user identifier: a conversation is a keyed pseudonym (pseudonyms.ts), the key kept
 * outside the database. Ratings are written at once (the person is thanked for them); turns and quiz steps are
 * written in batches every 50 ms and on shutdown, so a busy server does not pay one transaction per message.
 *
 * Storage failing (a full disk, a read-only mount) never throws out of it: the failure is counted (`errors`,
 * `lost`, `onError`), logged with what to do (once a minute per kind), shown by `check()` for /readyz, and what
 * could not be written is dropped – a rating reports it (`rating()` returns false) so nobody is thanked for
 * nothing.
 */
export class Analytics implements Records {
  /** Storage failures so far, by what was being done. */
  readonly errors: Record<StorageOperation, number> = { write: 0, rating: 0, purge: 0, check: 0 };
  private lostRows = 0;
  private readonly pseudonyms: Pseudonyms;
  private readonly problems: ProblemLog;
  private readonly onError: AnalyticsOptions['onError'];
  private readonly quizQuestion: NonNullable<AnalyticsOptions['quizQuestion']>;
  /** The last write that failed, until one succeeds. */
  private failure: { problem: StorageProblem; at: number } | undefined;
  private readonly insertTurn: Database.Statement;
  private readonly insertUnanswered: Database.Statement;
  private readonly insertRating: Database.Statement;
  private readonly insertQuiz: Database.Statement;
  private pending: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Reads and maintenance statements, prepared on first use (/readyz runs one every few seconds). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly retentionDays: number,
    options: AnalyticsOptions = {},
  ) {
    this.pseudonyms = new Pseudonyms(options.pseudonymKey);
    this.problems = new ProblemLog(db.name, options.log);
    this.onError = options.onError;
    this.quizQuestion = options.quizQuestion ?? (() => undefined);
    this.insertTurn = db.prepare('INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertUnanswered = db.prepare('INSERT INTO unanswered VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertRating = db.prepare('INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertQuiz = db.prepare('INSERT INTO quiz VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  quiz(e: QuizEvent): void {
    const correct = e.correct === undefined ? null : e.correct ? 1 : 0;
    const row = [e.at, e.channel, e.kind, e.questionId ?? null, correct, e.score ?? null, e.source ?? null, this.pseudonyms.of(e.sessionId, e.at)];
    this.later(() => this.insertQuiz.run(...row));
  }

  /** Writes what is waiting, in one transaction; false (counted, logged, dropped) when it could not. */
  flush(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    const writes = this.pending;
    this.pending = [];
    if (!writes.length) return true;
    try {
      this.db.transaction(() => writes.forEach((w) => w()))();
      this.succeeded();
      return true;
    } catch (error) {
      // Runs from a timer: a throw here would end the process, and with it everyone's conversation.
      this.failed('write', error, writes.length);
      return false;
    }
  }

  private later(write: () => void): void {
    this.pending.push(write);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  turn(e: TurnEvent): void {
    const { reply } = e;
    const conversation = this.pseudonyms.of(e.sessionId, e.at);
    const turn = [e.at, e.channel, reply.lang, reply.intent, reply.confidence, reply.fallback ? 1 : 0, e.source ?? null, conversation, e.opening ? 1 : 0];
    this.later(() => this.insertTurn.run(...turn));
    const typed = e.text.trim();
    const keep = !(reply.intent && NEVER_KEPT.has(reply.intent));
    if (typed && keep && (reply.fallback || reply.confidence < LOW_CONFIDENCE)) {
      // Cut before scrubbing: the patterns are cheap on a question, not on 100 kB of paste.
      const text = scrub(typed.slice(0, MAX_KEPT_TEXT));
      const row = [e.at, e.channel, reply.lang, reply.intent, reply.confidence, text, fold(text), e.source ?? null, conversation];
      if (text) this.later(() => this.insertUnanswered.run(...row));
    }
  }

  /**
   * Stores a rating at once. Returns true when it is stored, false when storage failed (counted and logged, never
   * thrown): the person should then hear that it could not be saved rather than be thanked.
   */
  rating(e: RatingEvent): boolean {
    this.flush();
    try {
      this.insertRating.run(e.at, e.channel, e.lang, e.intent, e.rating, e.source ?? null, this.pseudonyms.of(e.sessionId, e.at));
      this.succeeded();
      return true;
    } catch (error) {
      this.failed('rating', error, 1);
      return false;
    }
  }

  /** Deletes everything older than the retention period; returns how many rows went, or undefined when it failed. */
  purge(now = Date.now()): number | undefined {
    this.flush();
    const before = now - this.retentionDays * DAY_MS;
    try {
      const deleted = this.db.transaction(() =>
        ['turns', 'unanswered', 'ratings', 'quiz'].reduce((n, table) => n + this.statement(`DELETE FROM ${table} WHERE at < ?`).run(before).changes, 0),
      )();
      // Deleting nothing writes nothing, and proves nothing about a full disk.
      if (deleted > 0) this.succeeded();
      return deleted;
    } catch (error) {
      this.failed('purge', error, 0);
      return undefined;
    }
  }

  /**
   * Whether storing works (for /readyz): not after a write failed in the last minute with none succeeding since
   * (a full database may still take a small write in a page with room), nor when a test write fails now.
   */
  check(now = Date.now()): StorageCheck {
    if (this.failure && now - this.failure.at < FAILURE_SHOWN_MS) return { ok: false, reason: this.failure.problem.reason };
    try {
      this.statement(READY_PROBE).run(String(now));
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: this.failed('check', error, 0).reason };
    }
  }

  /** Rows (turns, questions, ratings, quiz steps) that could not be stored. */
  get lost(): number {
    return this.lostRows;
  }

  private succeeded(): void {
    this.failure = undefined;
    this.problems.succeeded();
  }

  private failed(operation: StorageOperation, error: unknown, lost: number): StorageProblem {
    const problem = classify(error, this.db.name);
    this.errors[operation] += 1;
    this.lostRows += lost;
    if (operation !== 'check') this.failure = { problem, at: Date.now() };
    this.problems.failed(operation, problem, lost);
    try {
      this.onError?.(operation, problem);
    } catch {
      // Counting a failure must not become one.
    }
    return problem;
  }

  /** Writes what is waiting and closes the database. */
  async close(): Promise<void> {
    this.flush();
    this.db.close();
  }

  // Async like PostgreSQL's (records.ts), so that callers do not care which is behind.
  async report(from: number, to: number, unansweredPerLanguage = 15): Promise<Report> {
    this.flush();
    const between = [from, to] as const;
    const one = <T>(sql: string) => this.statement(sql).get(...between) as T;
    const all = <T>(sql: string) => this.statement(sql).all(...between) as T[];
    // Only what people sent counts as a message: the greeting of every chat opened would otherwise be the most
    // asked topic and dilute the share not answered.
    const totals = one<{ turns: number; conversations: number; opened: number; fallbacks: number | null }>(
      `SELECT SUM(opening = 0) turns, COUNT(DISTINCT CASE WHEN opening = 0 THEN conversation END) conversations,
              COUNT(DISTINCT conversation) opened, SUM(CASE WHEN opening = 0 THEN fallback END) fallbacks
       FROM turns WHERE at >= ? AND at < ?`,
    );
    const ratingCount = one<{ n: number }>('SELECT COUNT(*) n FROM ratings WHERE at >= ? AND at < ?');
    const unanswered = all<{ lang: string; text: string; count: number; lastAt: number }>(
      `SELECT lang, text, count, lastAt FROM (
         SELECT lang, normalized, MAX(text) text, COUNT(*) count, MAX(at) lastAt,
                ROW_NUMBER() OVER (PARTITION BY lang ORDER BY COUNT(*) DESC, MAX(at) DESC, normalized) rank
         FROM unanswered WHERE at >= ? AND at < ? GROUP BY lang, normalized)
       WHERE rank <= ${Math.max(1, Math.floor(unansweredPerLanguage))} ORDER BY lang, count DESC, lastAt DESC, normalized`,
    );
    const fallbackRates = all<{ lang: string; channel: string; turns: number; fallbacks: number }>(
      'SELECT lang, channel, COUNT(*) turns, SUM(fallback) fallbacks FROM turns WHERE at >= ? AND at < ? AND opening = 0 GROUP BY lang, channel ORDER BY lang, channel',
    );
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      totals: { turns: totals.turns ?? 0, conversations: totals.conversations, opened: totals.opened, fallbacks: totals.fallbacks ?? 0, ratings: ratingCount.n },
      // Printable: questions stored before they were cleaned may hold terminal escapes or bidi overrides.
      unanswered: unanswered.map((u) => ({ ...u, text: printable(u.text), lastAt: new Date(u.lastAt).toISOString() })),
      fallbackRates: fallbackRates.map((r) => ({ ...r, rate: r.turns ? r.fallbacks / r.turns : 0 })),
      topics: all<{ intent: string; count: number }>(
        'SELECT intent, COUNT(*) count FROM turns WHERE at >= ? AND at < ? AND intent IS NOT NULL AND opening = 0 GROUP BY intent ORDER BY count DESC, intent',
      ),
      ratings: all<{ intent: string; up: number; down: number }>(
        'SELECT intent, SUM(rating > 0) up, SUM(rating < 0) down FROM ratings WHERE at >= ? AND at < ? GROUP BY intent ORDER BY up + down DESC, intent',
      ),
      sources: all<{ source: string; conversations: number; turns: number }>(
        'SELECT source, COUNT(DISTINCT conversation) conversations, SUM(opening = 0) turns FROM turns WHERE at >= ? AND at < ? AND source IS NOT NULL GROUP BY source ORDER BY conversations DESC, source',
      ),
      quiz: {
        rounds: all<{ source: string | null; started: number; finished: number }>(
          "SELECT source, SUM(kind = 'start') started, SUM(kind = 'finish') finished FROM quiz WHERE at >= ? AND at < ? GROUP BY source ORDER BY started DESC, source",
        ),
        questions: all<{ question: string; answered: number; right: number }>(
          "SELECT question, COUNT(*) answered, SUM(correct) AS [right] FROM quiz WHERE at >= ? AND at < ? AND kind = 'answer' GROUP BY question ORDER BY question",
        ).map((q) => ({ question: q.question, text: this.quizQuestion(q.question) ?? q.question, answered: q.answered, right: q.right })),
      },
    };
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}
