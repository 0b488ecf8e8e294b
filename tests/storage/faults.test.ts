import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { Metrics } from '../../src/server/metrics.js';
import { Analytics } from '../../src/storage/analytics.js';
import { checkWritable, openDatabase } from '../../src/storage/db.js';
import { ProblemLog, StorageError, type StorageLog } from '../../src/storage/faults.js';
import { assistant } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

/**
 * A real full database: SQLite refuses to grow a file past `max_page_count`, with SQLITE_FULL, as it does when
 * the disk is full. Every table is filled up to its last page first, so that no write finds room.
 */
function fill(db: Database.Database): void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const rows: Record<string, string> = {
    turns: "(0, 'web', 'en', NULL, 1, 0, NULL, 'x', 0)",
    unanswered: "(0, 'web', 'en', NULL, 0, 'x', 'x', NULL, 'x')",
    ratings: "(0, 'web', 'en', 'budget', 1, NULL, 'x')",
    quiz: "(0, 'web', 'start', NULL, NULL, NULL, NULL, 'x')",
  };
  for (const [table, row] of Object.entries(rows)) {
    expect(() => {
      for (;;) db.exec(`INSERT INTO ${table} VALUES ${row}`);
    }).toThrow(/full/);
  }
  // The readiness probe writes a small row into meta: fill meta with ever smaller rows at random places, many times
  // over, so that no page keeps room for it (one failed insert only says that one page is full).
  const filler = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (hex(randomblob(3)), ?)');
  for (const size of [1000, 100, 10, 0]) {
    for (let failures = 0; failures < 300; ) {
      try {
        filler.run('x'.repeat(size));
      } catch (error) {
        expect(String(error)).toMatch(/full/);
        failures++;
      }
    }
  }
}

/** Log lines Analytics writes, as a pino logger would get them. */
function recorder(): StorageLog & { lines: { level: string; details: object; message: string }[] } {
  const lines: { level: string; details: object; message: string }[] = [];
  return { lines, error: (details, message) => void lines.push({ level: 'error', details, message }), info: (details, message) => void lines.push({ level: 'info', details, message }) };
}

// A throw from the 50 ms flush timer would end the process (vitest's worker here): catch any, and fail on it.
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => void uncaught.push(error);
beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
});
afterEach(() => void process.off('uncaughtException', onUncaught));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a full disk', () => {
  it('keeps the chat answering; /readyz says why; failures are counted and logged once; nothing lost is said stored', async () => {
    const dir = tempDir('full');
    const db = openDatabase(join(dir, 'assistant.sqlite'));
    const metrics = new Metrics();
    const log = recorder();
    const analytics = new Analytics(db, 90, { log, onError: (operation, problem) => metrics.storageErrors.inc({ operation, reason: problem.reason }) });
    const bot = assistant({ observers: [analytics, metrics] });
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), assistant: bot, analytics, metrics });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    fill(db);

    const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
    const say = (text: string) =>
      app.inject({ method: 'POST', url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${token}` }, payload: { type: 'message', text, from: { id: 'u' } } });
    const answers = async () =>
      (await app.inject({ url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${token}` } }))
        .json<{ activities: { text?: string; from: { role: string } }[] }>()
        .activities.filter((a) => a.from.role === 'bot')
        .map((a) => a.text ?? '');

    expect((await say('what is the budget')).statusCode).toBe(200);
    expect((await answers()).some((t) => t.includes('17,510,500'))).toBe(true);
    // Well past the 50 ms flush, which fails: the process is still here and still answers.
    await pause(300);
    expect((await say('what is the weather in prizren tomorrow?')).statusCode).toBe(200);
    await pause(300);
    expect((await say('who is the head of mission')).statusCode).toBe(200);
    await pause(300);
    expect(uncaught).toEqual([]);
    expect((await answers()).length).toBeGreaterThanOrEqual(3);

    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'storage not writable', storage: false, reason: 'disk full' });

    // A rating that cannot be stored says so, and the person is not thanked for it; nor is it in the report.
    expect(analytics.rating({ at: Date.now(), channel: 'web', sessionId: 's', lang: 'en', intent: 'budget', rating: 1 })).toBe(false);
    const answer = bot.respond({ sessionId: 'r', text: 'what is the budget', channel: 'web' });
    const rated = bot.respond({ sessionId: 'r', text: '', payload: answer.feedback![0]!.payload, channel: 'web' });
    expect(rated.messages[0]!.text).toContain('could not be saved');
    expect((await analytics.report(Date.now() - 60_000, Date.now() + 60_000)).ratings).toEqual([]);
    expect(() => analytics.purge()).not.toThrow();

    expect(analytics.errors.write).toBeGreaterThanOrEqual(3);
    expect(analytics.errors.rating).toBe(2);
    expect(analytics.lost).toBeGreaterThanOrEqual(4);
    expect(await metrics.registry.getSingleMetricAsString('assistant_storage_errors_total')).toMatch(/assistant_storage_errors_total\{operation="write",reason="disk full"\} \d/);
    // One line for the lot (a minute has not passed), saying where to free space; no message text in it.
    const full = log.lines.filter((l) => l.level === 'error');
    expect(full).toHaveLength(1);
    expect(full[0]!.message).toContain(`free space on the file system of ${dir}`);
    expect(full[0]!.details).toMatchObject({ storage: { reason: 'disk full', code: 'SQLITE_FULL', folder: dir } });
    expect(JSON.stringify(log.lines)).not.toMatch(/budget|weather|head of mission/);

    // Space comes back: the next write succeeds, says so once, and the service is ready again.
    db.pragma('max_page_count = 1000000');
    await say('what is the budget');
    await pause(300);
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', message: 'storage writable again' });
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready', storage: true });
    expect((await analytics.report(0, Date.now() + 60_000)).topics).toContainEqual({ intent: 'budget', count: 1 });
    await app.close();
    db.close();
  });
});

describe('read-only storage', () => {
  it('counts every kind of failure, never throws, and /readyz says it is not writable', async () => {
    const file = join(tempDir('readonly'), 'assistant.sqlite');
    openDatabase(file).close();
    const log = recorder();
    const analytics = new Analytics(new Database(file, { readonly: true }), 90, { log });
    const bot = assistant({ observers: [analytics] });
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), assistant: bot, analytics });
    expect(bot.respond({ sessionId: 's', text: 'what is the budget', channel: 'web' }).intent).toBe('budget');
    await pause(300);
    expect(uncaught).toEqual([]);
    expect(analytics.rating({ at: Date.now(), channel: 'web', sessionId: 's', lang: 'en', intent: 'budget', rating: -1 })).toBe(false);
    expect(analytics.purge()).toBeUndefined();
    expect(analytics.flush()).toBe(true); // nothing waiting
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'storage not writable', storage: false, database: false, reason: 'not writable' });
    expect(analytics.errors).toMatchObject({ write: 1, rating: 1, purge: 1 });
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(log.lines[0]!.message).toMatch(/make .* writable .*or set DATA_DIR/);
    await app.close();
  });
});

describe('the problem log', () => {
  it('logs each kind of problem at most once a minute, with how many it held back', () => {
    let now = 0;
    const log = recorder();
    const problems = new ProblemLog('/data/assistant.sqlite', log, 60_000, () => now);
    const full = { reason: 'disk full' as const, code: 'SQLITE_FULL' };
    for (let i = 0; i < 100; i++) ((now += 100), problems.failed('write', full, 1));
    problems.failed('purge', { reason: 'not writable', code: 'SQLITE_READONLY' }, 0);
    expect(log.lines.map((l) => (l.details as { storage: { reason: string } }).storage.reason)).toEqual(['disk full', 'not writable']);
    now += 60_000;
    problems.failed('write', full, 1);
    expect(log.lines).toHaveLength(3);
    expect(log.lines[2]!.details).toMatchObject({ storage: { repeats: 99, folder: '/data' } });
    problems.succeeded();
    problems.succeeded();
    expect(log.lines.filter((l) => l.level === 'info')).toHaveLength(1);
  });
});

describe('storage at start', () => {
  it('refuses storage it cannot write, with one paragraph saying what to do', () => {
    const dir = tempDir('start');
    const file = join(dir, 'assistant.sqlite');
    const db = openDatabase(file);
    fill(db);
    expect(() => checkWritable(db)).toThrow(StorageError);
    expect(() => checkWritable(db)).toThrow(`${file} cannot be written (disk full: SQLITE_FULL, database or disk is full)`);
    expect(() => checkWritable(db)).toThrow(`To fix: free space on the file system of ${dir}`);
    db.close();
    const readonly = new Database(file, { readonly: true });
    expect(() => checkWritable(readonly)).toThrow(/cannot be written \(not writable: SQLITE_READONLY.*To fix: make .* writable/);
    readonly.close();
  });

  it('names the folder and DATA_DIR when the folder cannot be made', () => {
    const parent = join(tempDir('start'), 'a-file');
    writeFileSync(parent, '');
    const file = join(parent, 'data', 'assistant.sqlite');
    expect(() => openDatabase(file)).toThrow(StorageError);
    expect(() => openDatabase(file)).toThrow(/ENOTDIR.*DATA_DIR \(now .*a-file\/data\).*a part of that path is a file\): set DATA_DIR to a folder's path/);
  });

  it('says a damaged database is damaged and how to start afresh', () => {
    const file = join(tempDir('start'), 'assistant.sqlite');
    writeFileSync(file, 'this is not a database, but it is long enough to look like a header of one. '.repeat(100));
    expect(() => openDatabase(file)).toThrow(/database damaged: SQLITE_NOTADB.*move the file .* aside/);
  });

  /** Runs the server as `npm start` would, and returns how it ended and what it wrote. */
  async function start(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    return { code, out, err };
  }

  it('npm start refuses unusable storage with one paragraph, not a stack trace', async () => {
    const parent = join(tempDir('start'), 'a-file');
    writeFileSync(parent, '');
    const { code, err } = await start({ DATA_DIR: join(parent, 'data') });
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain(`DATA_DIR (now ${join(parent, 'data')})`);
    expect(err).toMatch(/To fix: .*a-file\/data cannot be a folder \(a part of that path is a file\): set DATA_DIR/);
    expect(err).not.toMatch(/^\s+at /m);
  }, 60_000);
});
