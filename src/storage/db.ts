import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../knowledge/load.js';
import { StorageError } from './faults.js';

/** The database file in a data folder (DATA_DIR, relative to the project). */
export function databaseFile(dataDir = 'data'): string {
  return join(resolve(PROJECT_ROOT, dataDir), 'assistant.sqlite');
}

/**
 * Schema versions, applied in order and recorded in `user_version`: a database is brought up to date on open,
 * and an older build refuses a newer database rather than corrupting it.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE turns (
     at INTEGER NOT NULL, channel TEXT NOT NULL, lang TEXT NOT NULL, intent TEXT, confidence REAL NOT NULL,
     fallback INTEGER NOT NULL, source TEXT, conversation TEXT NOT NULL);
   CREATE INDEX turns_at ON turns (at);
   CREATE TABLE unanswered (
     at INTEGER NOT NULL, channel TEXT NOT NULL, lang TEXT NOT NULL, intent TEXT, confidence REAL NOT NULL,
     text TEXT NOT NULL, normalized TEXT NOT NULL, source TEXT, conversation TEXT NOT NULL);
   CREATE INDEX unanswered_at ON unanswered (at);
   CREATE TABLE ratings (
     at INTEGER NOT NULL, channel TEXT NOT NULL, lang TEXT NOT NULL, intent TEXT NOT NULL, rating INTEGER NOT NULL,
     source TEXT, conversation TEXT NOT NULL);
   CREATE INDEX ratings_at ON ratings (at);`,
  `CREATE TABLE quiz (
     at INTEGER NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL, question TEXT, correct INTEGER, score INTEGER,
     source TEXT, conversation TEXT NOT NULL);
   CREATE INDEX quiz_at ON quiz (at);`,
  // The pseudonyms' key lived here, next to what it protects: anyone with the file could link a Telegram id to
  // its questions. It now comes from outside (PSEUDONYM_KEY); the old one is erased (secure_delete, below).
  `DELETE FROM meta WHERE key = 'salt';`,
  // The greeting a channel asks for when a conversation opens (a page load) is not a message anyone sent: reports
  // count it as an opened conversation only. Rows from before cannot tell, and stay counted as sent.
  `ALTER TABLE turns ADD COLUMN opening INTEGER NOT NULL DEFAULT 0;`,
];

/**
 * Opens (creating it and its folder) the database, in WAL mode, migrated to the latest schema. Throws a
 * StorageError – one paragraph saying which file, what is wrong and what to do – when it cannot be used.
 */
export function openDatabase(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // With WAL, NORMAL keeps every committed write through a crash of the process (not of the machine's power).
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    // What is deleted (retention, the old salt) is overwritten, not left readable in free pages of the file.
    db.pragma('secure_delete = ON');
    migrate(db, file);
    return db;
  } catch (error) {
    db?.close();
    throw error instanceof StorageError ? error : StorageError.of(file, error);
  }
}

function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    const message = `${file} has schema version ${version}, newer than this build knows (${MIGRATIONS.length}): run a newer build.`;
    throw new StorageError(message, { reason: 'storage error', code: 'SCHEMA_NEWER' });
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  // Old page images (the salt among them) also sit in the write-ahead log until it is emptied.
  if (version < MIGRATIONS.length) db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Tries a write, as the server starts, and throws a StorageError saying what to do when it fails. The server then
 * refuses to start: at start an operator is watching, a server without storage would only answer 503 on /readyz,
 * and SQLite cannot even open its WAL index on a full disk after a clean stop. A running server, by contrast,
 * keeps answering through storage failures (analytics.ts).
 */
export function checkWritable(db: Database.Database): void {
  try {
    db.prepare(READY_PROBE).run(String(Date.now()));
  } catch (error) {
    throw StorageError.of(db.name, error, 'cannot be written');
  }
}

/** A small write that shows storage works: the time of the last check. */
export const READY_PROBE = "INSERT INTO meta (key, value) VALUES ('ready', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value";

export const SCHEMA_VERSION = MIGRATIONS.length;
