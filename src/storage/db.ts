import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../knowledge/load.js';

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
];

/** Opens (creating it and its folder) the database, in WAL mode, migrated to the latest schema. */
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // With WAL, NORMAL keeps every committed write through a crash of the process (not of the machine's power).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 2000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(`${file} has schema version ${version}, newer than this build knows (${MIGRATIONS.length}): run a newer build.`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

export const SCHEMA_VERSION = MIGRATIONS.length;
