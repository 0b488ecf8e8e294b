import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** What went wrong with storage, in words an operator can act on (and /readyz can show: no paths). */
export type StorageReason = 'disk full' | 'not writable' | 'database busy' | 'database damaged' | 'database unreachable' | 'storage error';

/** What Analytics was doing when storage failed. */
export type StorageOperation = 'write' | 'rating' | 'purge' | 'check';

export interface StorageProblem {
  reason: StorageReason;
  /** SQLite's or the system's code (SQLITE_FULL, SQLITE_READONLY_DBMOVED, ENOTDIR…), for the log. */
  code: string;
}

/**
 * Tells a storage failure apart by its code: SQLite's extended codes and the system's errno names. A full disk does
 * not always say SQLITE_FULL (growing the WAL index gives SQLITE_IOERR_SHMSIZE, say), so an I/O error on a file
 * system with under 1 MiB left, for `file`'s folder, counts as a full disk too.
 */
export function classify(error: unknown, file?: string): StorageProblem {
  const code = String((error as { code?: unknown } | null)?.code ?? 'unknown');
  const reason: StorageReason =
    code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || (/^SQLITE_(IOERR|CANTOPEN)|^EIO$/.test(code) && nearlyFull(file))
      ? 'disk full'
      : /^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)|^SQLITE_IOERR|^E(ACCES|PERM|ROFS|NOTDIR|EXIST|ISDIR)$/.test(code)
        ? 'not writable'
        : /^SQLITE_(BUSY|LOCKED)/.test(code)
          ? 'database busy'
          : /^SQLITE_(CORRUPT|NOTADB)/.test(code)
            ? 'database damaged'
            : 'storage error';
  return { reason, code };
}

function nearlyFull(file: string | undefined): boolean {
  if (!file || file === ':memory:') return false;
  try {
    const fs = statfsSync(dirname(file));
    return fs.bavail * fs.bsize < 2 ** 20;
  } catch {
    return false;
  }
}

/** What the operator should do about a problem with the database `file` (its folder named, nothing else). */
export function advice(reason: StorageReason, file: string, code?: string): string {
  const folder = file === ':memory:' ? '(memory)' : dirname(file);
  if (code === 'ENOTDIR' || code === 'EEXIST') return `${folder} cannot be a folder (a part of that path is a file): set DATA_DIR to a folder's path`;
  switch (reason) {
    case 'disk full':
      return `free space on the file system of ${folder} (or move DATA_DIR to a larger volume)`;
    case 'not writable':
      return `make ${folder} and ${file} writable by this process's user, or set DATA_DIR to a writable folder, then restart`;
    case 'database busy':
      return `another process holds a lock on ${file} for too long: stop it (a report runs only reads)`;
    case 'database damaged':
      return `${file} is damaged: stop the assistant, move the file (with its -wal and -shm) aside for inspection, and start again to create a new one`;
    case 'database unreachable':
      return `the database cannot be reached: check that it runs`;
    case 'storage error':
      return `check ${folder} and the system log`;
  }
}

/**
 * Thrown by openDatabase when storage cannot be used at all: one paragraph that says which file, what went wrong
 * and what to do, for an operator reading a failed start.
 */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly problem: StorageProblem,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }

  /** `file` could not be opened, created or written: `what` happened, and `cause` says why. */
  static of(file: string, cause: unknown, what = 'cannot be used'): StorageError {
    const problem = classify(cause, file);
    const why = cause instanceof Error ? cause.message : String(cause);
    return new StorageError(
      `The assistant's database ${file} ${what} (${problem.reason}: ${problem.code}, ${why}). It keeps the questions ` +
        `the assistant could not answer, ratings and counts in DATA_DIR (now ${file === ':memory:' ? 'in memory' : dirname(file)}). ` +
        `To fix: ${advice(problem.reason, file, problem.code)}.`,
      problem,
      { cause },
    );
  }
}

/** Where storage problems are logged (a pino or fastify logger fits). */
export interface StorageLog {
  error(details: object, message: string): void;
  info(details: object, message: string): void;
}

/**
 * Logs a storage problem at most once a minute per reason, with how many occurrences the minute hid, so that a full
 * disk under load gives one line a minute rather than one per message; and says once when writing works again.
 */
export class ProblemLog {
  private readonly last = new Map<StorageReason, { at: number; hidden: number }>();
  private failing = false;
  private readonly where: { folder: string } | { database: string };
  private readonly advise: (reason: StorageReason, code: string) => string;

  /** `place`: for a database that is not a file (PostgreSQL), its name for the log and the advice to give. */
  constructor(
    file: string,
    private readonly log: StorageLog | undefined,
    private readonly everyMs = 60_000,
    private readonly now = Date.now,
    place?: { database: string; advise: (reason: StorageReason, code: string) => string },
  ) {
    this.where = place ? { database: place.database } : { folder: file === ':memory:' ? file : dirname(file) };
    this.advise = place?.advise ?? ((reason, code) => advice(reason, file, code));
  }

  failed(operation: StorageOperation, problem: StorageProblem, lost: number): void {
    this.failing = true;
    const seen = this.last.get(problem.reason);
    const at = this.now();
    if (seen && at - seen.at < this.everyMs) {
      seen.hidden += 1;
      return;
    }
    this.last.set(problem.reason, { at, hidden: 0 });
    this.log?.error(
      { storage: { ...problem, operation, lost, repeats: seen?.hidden ?? 0, ...this.where } },
      `storage ${problem.reason}: ${this.advise(problem.reason, problem.code)}. The assistant goes on answering; what it could not store is lost${
        problem.reason === 'disk full' ? ', and storing resumes by itself once there is room' : ''
      }`,
    );
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.last.clear();
    this.log?.info({ storage: this.where }, 'storage writable again');
  }
}
