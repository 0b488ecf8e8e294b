import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { QuizEvent, RatingEvent, TurnEvent } from '../../core/observer.js';
import { NEVER_KEPT } from '../../core/intents.js';
import { PROJECT_ROOT } from '../../knowledge/load.js';
import { fold } from '../../nlu/normalize.js';
import type { AnalyticsOptions, Report, StorageCheck } from '../analytics.js';
import { ProblemLog, StorageError, type StorageOperation, type StorageProblem, type StorageReason } from '../faults.js';
import { printable } from '../printable.js';
import { Pseudonyms } from '../pseudonyms.js';
import type { Records } from '../records.js';
import { scrub } from '../scrub.js';

/** The versioned migrations (node-pg-migrate, plain SQL), recorded in the table `pgmigrations`. */
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'src', 'storage', 'postgres', 'migrations');
export const MIGRATIONS_TABLE = 'pgmigrations';

// The same thresholds as SQLite's (analytics.ts): the two must keep the same rows.
const LOW_CONFIDENCE = 0.6;
const MAX_KEPT_TEXT = 500;
const DAY_MS = 86_400_000;
const FLUSH_MS = 50;
const FAILURE_SHOWN_MS = 60_000;
/** Rows per INSERT (PostgreSQL takes at most 65,535 parameters in one statement). */
const ROWS_PER_INSERT = 1000;
/** Rows kept waiting while a write hangs (a database that does not answer): past this, new rows are dropped, counted. */
const MAX_PENDING = 20_000;

type Table = 'turns' | 'unanswered' | 'ratings' | 'quiz';
const COLUMNS: Record<Table, string> = {
  turns: 'at, channel, lang, intent, confidence, fallback, source, conversation, opening',
  unanswered: 'at, channel, lang, intent, confidence, text, normalized, source, conversation',
  ratings: 'at, channel, lang, intent, rating, source, conversation',
  quiz: 'at, channel, kind, question, correct, score, source, conversation',
};
type Row = { table: Table; values: unknown[] };

/** The database's address without its password, for logs and messages. */
export function databaseName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres (DATABASE_URL)';
  }
}

/** PostgreSQL's SQLSTATE codes and the driver's network errors, in the words of faults.ts. */
export function classifyPostgres(error: unknown): StorageProblem {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = String(e?.code ?? (/timeout|terminated|Connection/i.test(String(e?.message ?? '')) ? 'CONNECTION' : 'unknown'));
  const reason: StorageReason =
    code === '53100'
      ? 'disk full'
      : code === '25006' || code === '42501' || /^28/.test(code)
        ? 'not writable'
        : /^(40001|40P01|55P03|57014|53300)$/.test(code)
          ? 'database busy'
          : /^XX00[12]$/.test(code)
            ? 'database damaged'
            : /^(08|57P0)/.test(code) || /^(E(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|PIPE|AI_AGAIN)|ENOTFOUND|ETIMEDOUT|CONNECTION)$/.test(code)
              ? 'database unreachable'
              : 'storage error';
  return { reason, code };
}

function advise(reason: StorageReason, database: string): string {
  switch (reason) {
    case 'database unreachable':
      return `${database} cannot be reached: check that PostgreSQL runs and DATABASE_URL (host, port, user, password)`;
    case 'disk full':
      return `free space on the disk of the PostgreSQL server of ${database}`;
    case 'not writable':
      return `give DATABASE_URL's user the right to write to ${database} (or leave read-only mode)`;
    case 'database busy':
      return `${database} is overloaded or locked: check its connections and long transactions`;
    case 'database damaged':
      return `${database} reports damaged data: see PostgreSQL's log`;
    case 'storage error':
      return `see PostgreSQL's log for ${database}`;
  }
}

/**
 * Applies the migrations not yet applied, recording them in `pgmigrations`. Instances starting together wait for
 * one another on node-pg-migrate's advisory lock, so only one migrates. Returns the names it applied.
 */
export async function migratePostgres(url: string, log?: (message: string) => void): Promise<string[]> {
  const say = (message: string) => log?.(message);
  const ran = await runner({
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    count: Infinity,
    migrationsTable: MIGRATIONS_TABLE,
    advisoryLockMode: 'wait',
    checkOrder: true,
    logger: { debug: () => {}, info: () => {}, warn: say, error: say },
  });
  return ran.map((m) => m.name);
}

/**
 * The records in PostgreSQL (DATABASE_URL), for several instances: the same tables, scrubbing, pseudonyms (with
 * PSEUDONYM_KEY, the same on every instance) and report as SQLite's `Analytics`. Turns, questions and quiz steps
 * are written in batches every 50 ms (one transaction, multi-row inserts); a rating at once. Nothing is ever thrown
 * into a turn: failures are counted (`errors`, `lost`, `onError`), logged once a minute per kind and shown by
 * `check()` for /readyz, and writing resumes by itself when the database is back. A rating cannot wait for the
 * database inside a turn: it is answered as not kept (false) while the database is known to fail, else thanked and
 * written at once.
 */
export class PostgresRecords implements Records {
  readonly errors: Record<StorageOperation, number> = { write: 0, rating: 0, purge: 0, check: 0 };
  private lostRows = 0;
  private readonly pseudonyms: Pseudonyms;
  private readonly problems: ProblemLog;
  private readonly onError: AnalyticsOptions['onError'];
  private readonly quizQuestion: NonNullable<AnalyticsOptions['quizQuestion']>;
  private failure: { problem: StorageProblem; at: number } | undefined;
  private pending: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Writes one after another, so that a flush awaited has everything queued before it written. */
  private queue: Promise<unknown> = Promise.resolve();
  private writing = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly retentionDays: number,
    options: AnalyticsOptions & { name?: string } = {},
  ) {
    const database = options.name ?? 'postgres';
    this.pseudonyms = new Pseudonyms(options.pseudonymKey);
    this.problems = new ProblemLog(database, options.log, 60_000, Date.now, { database, advise: (reason) => advise(reason, database) });
    this.onError = options.onError;
    this.quizQuestion = options.quizQuestion ?? (() => undefined);
    // An idle connection that breaks (the server stopped) must not end the process: the next query reports it.
    pool.on('error', () => {});
  }

  /**
   * Migrates the database at `url` and connects to it; throws a StorageError saying what to do when it cannot (the
   * server then refuses to start, as with SQLite).
   */
  static async open(url: string, retentionDays: number, options: AnalyticsOptions = {}): Promise<PostgresRecords> {
    const name = databaseName(url);
    try {
      await migratePostgres(url, (message) => options.log?.info({ storage: { database: name } }, message));
    } catch (error) {
      const problem = classifyPostgres(error);
      const why = error instanceof Error ? error.message : String(error);
      throw new StorageError(`The assistant's database ${name} cannot be used (${problem.reason}: ${problem.code}, ${why}). To fix: ${advise(problem.reason, name)}.`, problem, {
        cause: error,
      });
    }
    const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000, query_timeout: 10_000 });
    return new PostgresRecords(pool, retentionDays, { ...options, name });
  }

  turn(e: TurnEvent): void {
    const { reply } = e;
    const conversation = this.pseudonyms.of(e.sessionId, e.at);
    this.later({ table: 'turns', values: [e.at, e.channel, reply.lang, reply.intent, reply.confidence, reply.fallback ? 1 : 0, e.source ?? null, conversation, e.opening ? 1 : 0] });
    const typed = e.text.trim();
    const keep = !(reply.intent && NEVER_KEPT.has(reply.intent));
    if (typed && keep && (reply.fallback || reply.confidence < LOW_CONFIDENCE)) {
      const text = scrub(typed.slice(0, MAX_KEPT_TEXT));
      if (text) this.later({ table: 'unanswered', values: [e.at, e.channel, reply.lang, reply.intent, reply.confidence, text, fold(text), e.source ?? null, conversation] });
    }
  }

  quiz(e: QuizEvent): void {
    const correct = e.correct === undefined ? null : e.correct ? 1 : 0;
    this.later({ table: 'quiz', values: [e.at, e.channel, e.kind, e.questionId ?? null, correct, e.score ?? null, e.source ?? null, this.pseudonyms.of(e.sessionId, e.at)] });
  }

  rating(e: RatingEvent): boolean {
    if (this.failing()) {
      this.failed('rating', new StorageError('the database failed in the last minute', this.failure!.problem), 1);
      return false;
    }
    const row: Row = { table: 'ratings', values: [e.at, e.channel, e.lang, e.intent, e.rating, e.source ?? null, this.pseudonyms.of(e.sessionId, e.at)] };
    void this.flush();
    void this.enqueue([row], 'rating');
    return true;
  }

  flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    return this.enqueue(rows, 'write');
  }

  private later(row: Row): void {
    if (this.pending.length >= MAX_PENDING) {
      this.lostRows += 1;
      return;
    }
    this.pending.push(row);
    this.timer ??= setTimeout(() => this.tick(), FLUSH_MS).unref();
  }

  /** Every 50 ms, unless a write is still under way: then rows gather into one batch instead of a queue of them. */
  private tick(): void {
    this.timer = undefined;
    if (this.writing) this.timer = setTimeout(() => this.tick(), FLUSH_MS).unref();
    else void this.flush();
  }

  private enqueue(rows: Row[], operation: StorageOperation): Promise<boolean> {
    this.writing += 1;
    const run = this.queue.then(() => (rows.length ? this.write(rows, operation) : true)).finally(() => (this.writing -= 1));
    this.queue = run;
    return run;
  }

  /** Writes rows in one transaction; false (counted, logged, dropped) when it could not. Never throws. */
  private async write(rows: Row[], operation: StorageOperation): Promise<boolean> {
    try {
      await this.transaction(async (client) => {
        for (const table of Object.keys(COLUMNS) as Table[]) {
          const all = rows.filter((r) => r.table === table).map((r) => r.values);
          for (let i = 0; i < all.length; i += ROWS_PER_INSERT) {
            const chunk = all.slice(i, i + ROWS_PER_INSERT);
            const width = chunk[0]!.length;
            const tuples = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
            await client.query(`INSERT INTO ${table} (${COLUMNS[table]}) VALUES ${tuples.join(', ')}`, chunk.flat());
          }
        }
      });
      this.succeeded();
      return true;
    } catch (error) {
      this.failed(operation, error, rows.length);
      return false;
    }
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      // A connection that could not even roll back is dropped from the pool rather than reused.
      client.release(broken);
    }
  }

  async purge(now = Date.now()): Promise<number | undefined> {
    await this.flush();
    const before = now - this.retentionDays * DAY_MS;
    try {
      const deleted = await this.transaction(async (client) => {
        let n = 0;
        for (const table of Object.keys(COLUMNS)) n += (await client.query(`DELETE FROM ${table} WHERE at < $1`, [before])).rowCount ?? 0;
        return n;
      });
      if (deleted > 0) this.succeeded();
      return deleted;
    } catch (error) {
      this.failed('purge', error, 0);
      return undefined;
    }
  }

  async check(now = Date.now()): Promise<StorageCheck> {
    if (this.failing(now)) return { ok: false, reason: this.failure!.problem.reason };
    try {
      await this.pool.query("INSERT INTO meta (key, value) VALUES ('ready', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(now)]);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: this.failed('check', error, 0).reason };
    }
  }

  get lost(): number {
    return this.lostRows;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.queue;
    await this.pool.end();
  }

  private failing(now = Date.now()): boolean {
    return this.failure !== undefined && now - this.failure.at < FAILURE_SHOWN_MS;
  }

  private succeeded(): void {
    this.failure = undefined;
    this.problems.succeeded();
  }

  private failed(operation: StorageOperation, error: unknown, lost: number): StorageProblem {
    const problem = error instanceof StorageError ? error.problem : classifyPostgres(error);
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

  /** The same report as SQLite's (analytics.ts), the same numbers and order for the same rows. */
  async report(from: number, to: number, unansweredPerLanguage = 15): Promise<Report> {
    await this.flush();
    const between = [from, to];
    const all = async <T>(sql: string) => (await this.pool.query(sql, between)).rows as T[];
    // Binary order ("C"), as SQLite sorts, whatever the database's locale.
    const [[totals], [ratingCount], unanswered, fallbackRates, topics, ratings, sources, rounds, questions] = await Promise.all([
      all<{ turns: number; conversations: number; opened: number; fallbacks: number | null }>(
        `SELECT COUNT(*) FILTER (WHERE opening = 0)::int turns, COUNT(DISTINCT conversation) FILTER (WHERE opening = 0)::int conversations,
                COUNT(DISTINCT conversation)::int opened, SUM(fallback) FILTER (WHERE opening = 0)::int fallbacks
         FROM turns WHERE at >= $1 AND at < $2`,
      ),
      all<{ n: number }>('SELECT COUNT(*)::int n FROM ratings WHERE at >= $1 AND at < $2'),
      all<{ lang: string; text: string; count: number; lastAt: string }>(
        `SELECT lang, text, count, "lastAt" FROM (
           SELECT lang, normalized, MAX(text COLLATE "C") text, COUNT(*)::int count, MAX(at) "lastAt",
                  ROW_NUMBER() OVER (PARTITION BY lang ORDER BY COUNT(*) DESC, MAX(at) DESC, normalized COLLATE "C") rank
           FROM unanswered WHERE at >= $1 AND at < $2 GROUP BY lang, normalized) ranked
         WHERE rank <= ${Math.max(1, Math.floor(unansweredPerLanguage))} ORDER BY lang COLLATE "C", count DESC, "lastAt" DESC, normalized COLLATE "C"`,
      ),
      all<{ lang: string; channel: string; turns: number; fallbacks: number }>(
        'SELECT lang, channel, COUNT(*)::int turns, SUM(fallback)::int fallbacks FROM turns WHERE at >= $1 AND at < $2 AND opening = 0 GROUP BY lang, channel ORDER BY lang COLLATE "C", channel COLLATE "C"',
      ),
      all<{ intent: string; count: number }>(
        'SELECT intent, COUNT(*)::int count FROM turns WHERE at >= $1 AND at < $2 AND intent IS NOT NULL AND opening = 0 GROUP BY intent ORDER BY count DESC, intent COLLATE "C"',
      ),
      all<{ intent: string; up: number; down: number }>(
        `SELECT intent, COUNT(*) FILTER (WHERE rating > 0)::int up, COUNT(*) FILTER (WHERE rating < 0)::int down FROM ratings
         WHERE at >= $1 AND at < $2 GROUP BY intent ORDER BY COUNT(*) FILTER (WHERE rating <> 0) DESC, intent COLLATE "C"`,
      ),
      all<{ source: string; conversations: number; turns: number }>(
        `SELECT source, COUNT(DISTINCT conversation)::int conversations, COUNT(*) FILTER (WHERE opening = 0)::int turns FROM turns
         WHERE at >= $1 AND at < $2 AND source IS NOT NULL GROUP BY source ORDER BY conversations DESC, source COLLATE "C"`,
      ),
      all<{ source: string | null; started: number; finished: number }>(
        `SELECT source, COUNT(*) FILTER (WHERE kind = 'start')::int started, COUNT(*) FILTER (WHERE kind = 'finish')::int finished FROM quiz
         WHERE at >= $1 AND at < $2 GROUP BY source ORDER BY started DESC, source COLLATE "C" NULLS FIRST`,
      ),
      all<{ question: string; answered: number; right: number }>(
        `SELECT question, COUNT(*)::int answered, SUM(correct)::int "right" FROM quiz
         WHERE at >= $1 AND at < $2 AND kind = 'answer' GROUP BY question ORDER BY question COLLATE "C"`,
      ),
    ]);
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      totals: { turns: totals!.turns, conversations: totals!.conversations, opened: totals!.opened, fallbacks: totals!.fallbacks ?? 0, ratings: ratingCount!.n },
      unanswered: unanswered.map((u) => ({ lang: u.lang, text: printable(u.text), count: u.count, lastAt: new Date(Number(u.lastAt)).toISOString() })),
      fallbackRates: fallbackRates.map((r) => ({ ...r, rate: r.turns ? r.fallbacks / r.turns : 0 })),
      topics,
      ratings,
      sources,
      quiz: {
        rounds,
        questions: questions.map((q) => ({ question: q.question, text: this.quizQuestion(q.question) ?? q.question, answered: q.answered, right: q.right })),
      },
    };
  }
}
