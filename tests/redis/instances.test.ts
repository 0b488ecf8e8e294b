import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../src/channels/telegram/bot.js';
import { buildApp } from '../../src/server/app.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { RedisConnection } from '../../src/storage/redis/connection.js';
import { RedisSessionStore } from '../../src/storage/redis/sessions.js';
import { assistant } from '../support/engine.js';
import { TelegramApiStandIn, textUpdate } from '../support/telegram-api.js';
import { RedisServer, freePort } from './redis-server.js';

const KEY = 'token-signing-key-shared-by-all-instances-4f9Q';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let redis: RedisServer;
const apps: FastifyInstance[] = [];
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(connections.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await redis.stop();
});

/** One instance of the service as main.ts builds it with REDIS_URL: its own Redis client, shared by sessions and limits. */
async function instance(env: Record<string, string> = {}) {
  const lines: { msg: string; level: number }[] = [];
  const config = loadConfig({ LOG_LEVEL: 'info', REDIS_URL: redis.url, TOKEN_SIGNING_KEY: KEY, PSEUDONYM_KEY: KEY, ...env });
  const log = { info: (f: object, m: string) => app.log.info(f, m), error: (f: object, m: string) => app.log.error(f, m) };
  const connection = await RedisConnection.connect(config.REDIS_URL!, log);
  connections.push(connection);
  const app: FastifyInstance = await buildApp({
    config,
    assistant: assistant({ sessions: new RedisSessionStore(connection, { ttlMs: config.CONVERSATION_TTL_SECONDS * 1000 }) }),
    redis: connection,
    logStream: { write: (line) => void lines.push(JSON.parse(line)) },
  });
  apps.push(app);
  return { app, lines };
}

/** A web chat conversation started on `app`: its token, and a way to send a message and read the answer. */
async function chat(app: FastifyInstance) {
  const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
  return {
    token,
    conversationId,
    /** Posts a message to `on` (another instance may take it); the status and the bot's answer. */
    send: async (text: string, on: FastifyInstance = app) => {
      const url = `/v3/directline/conversations/${conversationId}/activities`;
      const headers = { authorization: `Bearer ${token}` };
      const res = await on.inject({ method: 'POST', url, headers, payload: { type: 'message', text, from: { id: 'visitor' } } });
      if (res.statusCode !== 200) return { status: res.statusCode, answer: '' };
      const { id } = res.json<{ id: string }>();
      const set = (await on.inject({ url, headers })).json<{ activities: { text?: string; replyToId?: string }[] }>();
      return { status: 200, answer: set.activities.filter((a) => a.replyToId === id).map((a) => a.text ?? '').join('\n') };
    },
  };
}

describe('several instances over one Redis', () => {
  it('count the limits across instances: per address and per conversation', async () => {
    const a = await instance({ CONVERSATIONS_PER_MINUTE: '2', MESSAGES_PER_MINUTE: '3' });
    const b = await instance({ CONVERSATIONS_PER_MINUTE: '2', MESSAGES_PER_MINUTE: '3' });
    // The address's share of new conversations, spent on A, is spent on B too.
    const first = await chat(a.app);
    expect((await a.app.inject({ method: 'POST', url: '/api/webchat/token' })).statusCode).toBe(200);
    expect((await b.app.inject({ method: 'POST', url: '/api/webchat/token' })).statusCode).toBe(429);

    // A conversation that used its share on A (and was refused there) is refused on B.
    for (const text of ['hello', 'budget?', 'who is the head of mission?']) expect((await first.send(text)).status).toBe(200);
    expect((await first.send('and in Serbian?')).status).toBe(429);
    const onB = await first.send('and in Serbian?', b.app);
    expect(onB.status).toBe(429);
  }, 15_000);

  it('count Telegram’s flood limit across instances: a person over it on one bot is asked to slow down by the other', async () => {
    const api = await new TelegramApiStandIn().start();
    try {
      const silent = { info: () => {}, warn: () => {}, error: () => {} };
      const bots = await Promise.all(
        [0, 1].map(async () => {
          const connection = await RedisConnection.connect(redis.url, silent);
          connections.push(connection);
          const o = { token: '123456:TEST-token', apiRoot: api.url, assistant: assistant(), log: silent, botInfo: api.bot, flood: { points: 3, seconds: 60 }, redis: connection };
          return createTelegramBot(o).bot;
        }),
      );
      let update = 1;
      const to = (c: { body: Record<string, unknown> }) => c.body.chat_id === 4242;
      for (const text of ['hello', 'budget?', 'who is the head of mission?']) await bots[0]!.handleUpdate({ ...textUpdate(text, { chat: 4242, language: 'en' }), update_id: update++ } as never);
      await api.waitFor('sendMessage', to, 3);
      await bots[1]!.handleUpdate({ ...textUpdate('and in Serbian?', { chat: 4242, language: 'en' }), update_id: update++ } as never);
      const calls = await api.waitFor('sendMessage', to, 4);
      expect(String(calls[3]!.body.text)).toMatch(/faster than I can read/);
    } finally {
      await api.close();
    }
  }, 15_000);

  it('report Redis in /readyz, answer without memory while it is lost, log it once, and remember again once it is back', async () => {
    const { app, lines } = await instance();
    const person = await chat(app);
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready', redis: true });
    expect((await person.send('budget?')).answer).toMatch(/17,510,500|17\.510\.500|EUR/);
    expect((await person.send('and in Serbian?')).answer).toContain('17.510.500');

    await redis.stop();
    const lost = await app.inject('/readyz');
    expect(lost.statusCode).toBe(503);
    expect(lost.json()).toMatchObject({ status: 'redis unavailable', redis: false, reason: expect.stringContaining('Redis') });
    // Questions are still answered, each on its own: the follow-up has no answer to repeat.
    const budget = await person.send('what is the budget of the mission?');
    expect(budget.status).toBe(200);
    expect(budget.answer).toMatch(/17,510,500|EUR/);
    const follow = await person.send('and in Serbian?');
    expect(follow.status).toBe(200);
    expect(follow.answer).not.toContain('17.510.500');
    expect(follow.answer.length).toBeGreaterThan(0);
    // A new conversation can still be started (the address limit is not counted while Redis is away).
    expect((await app.inject({ method: 'POST', url: '/api/webchat/token' })).statusCode).toBe(200);

    await redis.start();
    for (let i = 0; i < 60 && (await app.inject('/readyz')).statusCode !== 200; i++) await sleep(100);
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready', redis: true });
    expect((await person.send('what is the budget of the mission?')).status).toBe(200);
    expect((await person.send('and in Serbian?')).answer).toContain('17.510.500');

    const said = lines.map((l) => l.msg);
    expect(said.filter((m) => m.startsWith('Redis is lost'))).toHaveLength(1);
    expect(said.filter((m) => m.startsWith('Redis is back'))).toHaveLength(1);
    expect(lines.find((l) => l.msg.startsWith('Redis is lost'))!.level).toBe(50);
  }, 20_000);

  it('refuse to start when Redis cannot be reached, saying what to check; REDIS_URL must be a Redis URL', async () => {
    const port = await freePort();
    await expect(RedisConnection.connect(`redis://:secret-password@127.0.0.1:${port}`, { info: () => {}, error: () => {} }, 1_000)).rejects.toThrow(
      /^Redis cannot be reached at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? \(REDIS_URL\).*unset REDIS_URL/s,
    );
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'redis:6379' })).toThrow(/REDIS_URL/);
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@redis.example.org:6380', TOKEN_SIGNING_KEY: KEY, PSEUDONYM_KEY: KEY }).REDIS_URL).toBe('rediss://user:pw@redis.example.org:6380');
    expect(loadConfig({}).REDIS_URL).toBeUndefined();
  });
});
