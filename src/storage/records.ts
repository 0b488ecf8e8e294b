import type { AssistantObserver } from '../core/observer.js';
import type { Report, StorageCheck } from './analytics.js';
import type { StorageOperation } from './faults.js';

/**
 * Where the records (turns, unanswered questions, ratings, quiz steps) are kept: SQLite in DATA_DIR (`Analytics`,
 * the default) or PostgreSQL when DATABASE_URL is set (`PostgresRecords`, for several instances). Both keep the
 * same tables, pseudonyms and scrubbing, and give the same `Report` for the same traffic; neither throws a storage
 * failure into a turn.
 */
export interface Records extends AssistantObserver {
  /** Storage failures so far, by what was being done. */
  readonly errors: Record<StorageOperation, number>;
  /** Rows that could not be stored. */
  readonly lost: number;
  /** Writes what is waiting; false (counted, logged, dropped) when it could not. */
  flush(): boolean | Promise<boolean>;
  /** Deletes what is older than the retention period: how many rows went, or undefined when it failed. */
  purge(now?: number): number | undefined | Promise<number | undefined>;
  /** Whether storing works, for /readyz. */
  check(now?: number): StorageCheck | Promise<StorageCheck>;
  /** The report of [from, to) in milliseconds. Throws when the database cannot be read. */
  report(from: number, to: number, unansweredPerLanguage?: number): Promise<Report>;
  /** Writes what is waiting and lets go of the database. */
  close(): Promise<void>;
}
