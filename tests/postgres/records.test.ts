import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssistantObserver } from '../../src/core/observer.js';
import { payloadOf } from '../../src/dialogue/lexicon.js';
import { mulberry32 } from '../../src/nlu/softmax.js';
import { quizQuestionText } from '../../src/knowledge/load.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { Analytics } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { MIGRATIONS_TABLE, PostgresRecords, migratePostgres } from '../../src/storage/postgres/records.js';
import { assistant, knowledge } from '../support/engine.js';
import { TestCluster } from './cluster.js';

const KEY = 'pseudonym-key-for-tests-0123456789abcdef';
const TOKEN = 'staff-token-9fQ2zL1xV8cN3bR6tY2wK7mP';
const DAY = 86_400_000;

let cluster: TestCluster;
let n = 0;
/** A fresh database of the test cluster. */
const fresh = () => cluster.database(`records_${++n}`);

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  cluster = await TestCluster.create();
}, 30_000);
afterAll(async () => cluster?.destroy());

describe('PostgreSQL migrations', () => {
  it('are applied at start, once when two instances start together, and recorded', async () => {
    const url = await fresh();
    // Two instances starting at the same moment: one migrates, the other waits on the lock and finds nothing to do.
    const [a, b] = await Promise.all([migratePostgres(url), migratePostgres(url)]);
    expect([a, b].sort((x, y) => x.length - y.length)).toEqual([[], ['1765155600000_records']]);
    expect(await migratePostgres(url)).toEqual([]);
    expect(await rows(url, `SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([{ name: '1765155600000_records' }]);
    const columns = await rows<{ column_name: string }>(url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'turns' ORDER BY ordinal_position");
    expect(columns.map((c) => c.column_name)).toEqual(['at', 'channel', 'lang', 'intent', 'confidence', 'fallback', 'source', 'conversation', 'opening']);
    // Two instances opening their records together (what main.ts does) both start.
    const url2 = await fresh();
    const both = await Promise.all([PostgresRecords.open(url2, 90), PostgresRecords.open(url2, 90)]);
    expect(await rows(url2, `SELECT COUNT(*)::int n FROM ${MIGRATIONS_TABLE}`)).toEqual([{ n: 1 }]);
    await Promise.all(both.map((r) => r.close()));
  });

  it('refuses to start with a message saying what to do when the database cannot be reached', async () => {
    await expect(PostgresRecords.open(`postgres://postgres@127.0.0.1:${cluster.port}/no_such_database`, 90)).rejects.toThrow(/no_such_database cannot be used .*To fix/);
  });
});

describe('records in PostgreSQL', () => {
  it('give the same report as SQLite for the same traffic, with the same pseudonyms', async () => {
    const url = await fresh();
    const options = { pseudonymKey: KEY, quizQuestion: quizQuestionText(knowledge()) };
    const postgres = await PostgresRecords.open(url, 90, options);
    const sqlite = new Analytics(openDatabase(':memory:'), 90, options);
    // One engine telling both the very same events (the engine reads the clock for each observer).
    const both: AssistantObserver = {
      turn: (e) => [sqlite, postgres].forEach((r) => r.turn(e)),
      quiz: (e) => [sqlite, postgres].forEach((r) => r.quiz(e)),
      rating: (e) => [sqlite.rating(e), postgres.rating(e)].every(Boolean),
    };
    const bot = assistant({ observers: [both], random: mulberry32(7) });
    const say = (sessionId: string, text: string, channel = 'web', extra: object = {}) => bot.respond({ sessionId, text, channel, ...extra });
    say('w1', '', 'web', { payload: payloadOf({ type: 'intent', intent: 'greeting' }), opening: true, source: 'poster-prizren' });
    say('w1', 'what is the budget');
    say('w1', 'what is the weather in prizren tomorrow?');
    say('w2', 'ana@example.org here: will it rain tomorrow?', 'telegram');
    say('w3', 'ana@example.org here: will it rain tomorrow?', 'telegram', { source: 'poster-peja' });
    say('w3', 'sa eshte buxheti i misionit?');
    say('w4', 'ко је шеф мисије?');
    say('w4', 'колико кошта карта за утакмицу? 044 123 456');
    say('w5', '', 'web', { payload: payloadOf({ type: 'intent', intent: 'greeting' }), opening: true, source: 'poster-prizren' });
    const answer = say('w6', 'who is the head of mission', 'telegram');
    say('w6', '', 'telegram', { payload: answer.feedback![0]!.payload });
    say('w7', '', 'web', { payload: say('w7', 'what is the budget').feedback![1]!.payload });
    let reply = say('q1', '', 'telegram', { payload: 'q:start', source: 'basketball-prizren-2027' });
    while (reply.quiz) reply = say('q1', '', 'telegram', { payload: reply.quiz.answerPayload.replace('{i}', String(reply.quiz.correct)) });
    say('q2', 'quiz');
    // Older turns, on other days, with ties in counts.
    for (const [i, text] of ['zzz qqq?', 'aaa bbb?', 'zzz qqq?', 'mmm?'].entries())
      both.turn!({ at: Date.now() - (i + 1) * DAY, latencyMs: 1, channel: 'web', sessionId: `old${i}`, text, reply: { ...answer, intent: null, fallback: true, confidence: 0 } });

    const from = Date.now() - 30 * DAY;
    const to = Date.now() + 60_000;
    const expected = await sqlite.report(from, to);
    expect(expected.totals.turns).toBeGreaterThan(10);
    expect(expected.unanswered.length).toBeGreaterThan(3);
    expect(expected.ratings.length).toBe(2);
    expect(expected.quiz.rounds.length).toBe(2);
    expect(expected.sources.length).toBe(3);
    expect(await postgres.report(from, to)).toEqual(expected);
    expect(await postgres.report(from, to, 1)).toEqual(await sqlite.report(from, to, 1));
    const [twoDaysAgo, halfADayAgo] = [Date.now() - 2.5 * DAY, Date.now() - 0.5 * DAY];
    expect(await postgres.report(twoDaysAgo, halfADayAgo)).toEqual(await sqlite.report(twoDaysAgo, halfADayAgo));
    // An empty period.
    expect(await postgres.report(0, 1000)).toEqual(await sqlite.report(0, 1000));

    // The same pseudonyms (one PSEUDONYM_KEY): every instance, and SQLite, name a conversation alike.
    const inPostgres = await rows<{ conversation: string }>(url, 'SELECT DISTINCT conversation FROM turns ORDER BY conversation');
    const inSqlite = (sqlite as unknown as { db: { prepare(s: string): { all(): unknown[] } } }).db.prepare('SELECT DISTINCT conversation FROM turns ORDER BY conversation').all();
    expect(inPostgres).toEqual(inSqlite);
    // Retention, as SQLite's.
    expect(await postgres.purge(Date.now() + 88.5 * DAY)).toBe(sqlite.purge(Date.now() + 88.5 * DAY));
    expect(await postgres.report(0, to)).toEqual(await sqlite.report(0, to));
    await postgres.close();
  }, 20_000);

  it('keep ratings and unanswered questions with personal data removed, and no conversation id', async () => {
    const url = await fresh();
    const postgres = await PostgresRecords.open(url, 90, { pseudonymKey: KEY });
    const bot = assistant({ observers: [postgres] });
    const person = 'tg:123456789';
    bot.respond({ sessionId: person, text: 'a ka vende pune? shkruani ne ana@example.org ose 044 123 456', channel: 'telegram' });
    const answer = bot.respond({ sessionId: person, text: 'who is the head of mission', channel: 'telegram' });
    const thanks = bot.respond({ sessionId: person, text: '', payload: answer.feedback![1]!.payload, channel: 'telegram' });
    expect(thanks.messages[0]!.text).toContain('Thank you for your feedback');
    expect(await postgres.flush()).toBe(true);
    const everything = JSON.stringify([
      ...(await rows(url, 'SELECT * FROM turns')),
      ...(await rows(url, 'SELECT * FROM unanswered')),
      ...(await rows(url, 'SELECT * FROM ratings')),
    ]);
    expect(await rows(url, 'SELECT intent, rating, channel FROM ratings')).toEqual([{ intent: 'head_of_mission', rating: -1, channel: 'telegram' }]);
    const [kept] = await rows<{ text: string }>(url, 'SELECT text FROM unanswered');
    expect(kept!.text).toContain('[e-mail]');
    for (const secret of ['ana@example.org', '044 123 456', '123456789']) expect(everything).not.toContain(secret);
    expect(postgres.errors).toEqual({ write: 0, rating: 0, purge: 0, check: 0 });
    await postgres.close();
  });

  it('serve the staff report API', async () => {
    const url = await fresh();
    const analytics = await PostgresRecords.open(url, 90, { pseudonymKey: KEY });
    const bot = assistant({ observers: [analytics] });
    for (const [sessionId, text] of [['a', 'will it rain tomorrow in peja?'], ['b', 'will it rain tomorrow in peja?'], ['b', 'what is the budget']])
      bot.respond({ sessionId: sessionId!, text: text!, channel: 'web' });
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ADMIN_TOKEN: TOKEN }), assistant: bot, analytics });
    expect((await app.inject('/admin/api/report?days=7')).statusCode).toBe(401);
    const response = await app.inject({ url: '/admin/api/report?days=7', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    const report = response.json<Awaited<ReturnType<PostgresRecords['report']>>>();
    expect(report.totals).toMatchObject({ turns: 3, conversations: 2 });
    expect(report.unanswered[0]).toMatchObject({ lang: 'en', text: 'will it rain tomorrow in peja?', count: 2 });
    expect(report.topics).toContainEqual({ intent: 'budget', count: 1 });
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready', database: true });
    await app.close();
    await analytics.close();
  });
});

describe('PostgreSQL stopped and restarted', () => {
  it('makes /readyz answer 503 while the chat goes on answering, and writes again once it is back', async () => {
    const url = await fresh();
    const analytics = await PostgresRecords.open(url, 90, { pseudonymKey: KEY });
    const bot = assistant({ observers: [analytics] });
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), assistant: bot, analytics });
    const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
    const headers = { authorization: `Bearer ${token}` };
    const say = async (text: string) => {
      const posted = await app.inject({ method: 'POST', url: `/v3/directline/conversations/${conversationId}/activities`, headers, payload: { type: 'message', text, from: { id: 'u' } } });
      expect(posted.statusCode).toBe(200);
      const { activities } = (await app.inject({ url: `/v3/directline/conversations/${conversationId}/activities`, headers })).json<{ activities: { text?: string; from: { role?: string; id: string } }[] }>();
      return activities.at(-1)!;
    };
    const count = async () => (await rows<{ n: number }>(url, 'SELECT COUNT(*)::int n FROM turns'))[0]!.n;

    expect((await say('what is the budget')).text).toMatch(/budget/i);
    expect(await analytics.flush()).toBe(true);
    expect(await count()).toBe(1);
    expect((await app.inject('/readyz')).statusCode).toBe(200);

    await cluster.stop();
    const answered = await say('who is the head of mission');
    expect(answered.from.id).not.toBe('u');
    expect(answered.text).toMatch(/head of mission|mission/i);
    expect(await analytics.flush()).toBe(false);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ database: false, storage: false, reason: 'database unreachable' });
    expect(analytics.errors.write).toBeGreaterThan(0);
    expect(analytics.lost).toBeGreaterThan(0);
    // Nobody is thanked for a rating while the database is known to fail.
    const rating = { at: Date.now(), channel: 'web', sessionId: 's', lang: 'en' as const, intent: 'budget', rating: 1 as const };
    expect(analytics.rating(rating)).toBe(false);

    await cluster.start();
    await say('what is the budget');
    expect(await analytics.flush()).toBe(true);
    expect(await count()).toBe(2);
    expect(analytics.rating(rating)).toBe(true);
    expect(await analytics.flush()).toBe(true);
    expect(await rows(url, 'SELECT intent, rating FROM ratings')).toEqual([{ intent: 'budget', rating: 1 }]);
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready', database: true });
    await app.close();
    await analytics.close();
  }, 20_000);
});
