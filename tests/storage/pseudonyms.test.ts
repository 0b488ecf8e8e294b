import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Analytics } from '../../src/storage/analytics.js';
import { SCHEMA_VERSION, openDatabase } from '../../src/storage/db.js';
import { Pseudonyms } from '../../src/storage/pseudonyms.js';
import { tempDir } from '../support/temp.js';

const KEY = 'pseudonym-key-7Hq2vN9xLc4TbW8mRz3KdP6s';
const TELEGRAM = 'tg:555000111';
const reply = { lang: 'en' as const, intent: null, confidence: 0.1, fallback: true, messages: [{ text: 'x' }], quickReplies: [] };

/** Every text or blob value in every table of the file, read as someone holding only the file would. */
function everyValue(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  const values = tables.flatMap((t) => (db.prepare(`SELECT * FROM ${t}`).raw().all() as unknown[][]).flat());
  db.close();
  return values.filter((v) => typeof v === 'string' || Buffer.isBuffer(v)).map(String);
}

describe('pseudonyms', () => {
  it('cannot be worked out from the database alone: its key is not in it', () => {
    const file = join(tempDir('pseudonyms'), 'assistant.sqlite');
    const analytics = new Analytics(openDatabase(file), 90, { pseudonymKey: KEY });
    analytics.turn({ at: Date.now(), channel: 'telegram', sessionId: TELEGRAM, text: 'asdkjh qwe', reply, latencyMs: 1 });
    analytics.rating({ at: Date.now(), channel: 'telegram', sessionId: TELEGRAM, lang: 'en', intent: 'budget', rating: 1 });
    analytics.flush();
    const values = everyValue(file);
    const stored = new Database(file, { readonly: true }).prepare('SELECT DISTINCT conversation FROM turns').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    // Whoever tries every value of the file as the key of an HMAC of the Telegram id (as the old salt allowed)
    // finds nothing; nor is the id itself, or the key, anywhere in the file.
    const guesses = values.flatMap((v) => [v, Buffer.from(v, 'hex')]).map((k) => createHmac('sha256', k).update(TELEGRAM).digest('base64url').slice(0, 22));
    expect(guesses).not.toContain(stored[0]);
    const bytes = readFileSync(file).toString('latin1') + (existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`).toString('latin1') : '');
    expect(bytes).not.toContain('555000111');
    expect(bytes).not.toContain(KEY);
  });

  it('are the same under the same key (every instance, every database), and differ under another', () => {
    const at = Date.UTC(2026, 4, 10);
    const stored = (key?: string) => {
      const analytics = new Analytics(openDatabase(':memory:'), 90, { pseudonymKey: key });
      analytics.turn({ at, channel: 'telegram', sessionId: TELEGRAM, text: '', reply, latencyMs: 1 });
      analytics.flush();
      return (analytics as unknown as { db: Database.Database }).db.prepare('SELECT conversation FROM turns').pluck().get() as string;
    };
    const first = stored(KEY);
    expect(stored(KEY)).toBe(first);
    expect(stored(KEY)).toBe(new Pseudonyms(KEY).of(TELEGRAM, at));
    expect(stored(`${KEY}-other`)).not.toBe(first);
    // Without a key, one random key for the whole process: its instances agree with each other, not with a key.
    expect(stored()).toBe(stored());
    expect(stored()).not.toBe(first);
    expect(new Pseudonyms(KEY).of('tg:555000112', at)).not.toBe(first);
  });

  it('change with the month, so the database links one person only within a month', () => {
    const p = new Pseudonyms(KEY);
    expect(p.of(TELEGRAM, Date.UTC(2026, 4, 1))).toBe(p.of(TELEGRAM, Date.UTC(2026, 4, 31, 23, 59)));
    expect(p.of(TELEGRAM, Date.UTC(2026, 4, 31, 23, 59))).not.toBe(p.of(TELEGRAM, Date.UTC(2026, 5, 1)));
  });

  it('refuse a short key', () => {
    expect(() => new Pseudonyms('too short')).toThrow(/at least 32 characters/);
  });

  it('the old salt is erased from a database that had one, from its pages and its log', () => {
    const file = join(tempDir('pseudonyms'), 'assistant.sqlite');
    const salt = 'f00dfeedcafe0123456789abcdef0123456789abcdef0123456789abcdef0042';
    const old = openDatabase(file);
    // The schema as it was (version 2), with its salt, and a little traffic after it.
    old.exec('ALTER TABLE turns DROP COLUMN opening');
    old.pragma('user_version = 2');
    old.prepare("INSERT INTO meta (key, value) VALUES ('salt', ?)").run(salt);
    old.prepare("INSERT INTO meta (key, value) VALUES ('ready', '1')").run();
    old.close();
    expect(readFileSync(file).toString('latin1')).toContain(salt);

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT COUNT(*) FROM meta WHERE key = 'salt'").pluck().get()).toBe(0);
    const bytes = readFileSync(file).toString('latin1') + (existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`).toString('latin1') : '');
    expect(bytes).not.toContain(salt);
    db.close();
  });
});
