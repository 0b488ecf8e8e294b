import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
// botframework-directlinejs is a browser library: in Node it needs these two globals (its README says so).
import XMLHttpRequest from 'xhr2';
Object.assign(globalThis, { XMLHttpRequest, WebSocket });
const { DirectLine, ConnectionStatus } = await import('botframework-directlinejs');
type DlActivity = import('botframework-directlinejs').Activity & { replyToId?: string };
import { buildApp } from '../../src/server/app.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { RedisConnection } from '../../src/storage/redis/connection.js';
import { RedisSessionStore } from '../../src/storage/redis/sessions.js';
import { assistant } from '../support/engine.js';
import { RedisServer } from './redis-server.js';

const KEY = 'token-signing-key-shared-by-all-instances-4f9Q';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Activity {
  id: string;
  text?: string;
  replyToId?: string;
  from: { id: string; role?: string };
  channelData?: { clientActivityID?: string };
}

let redis: RedisServer;
let client: Redis;
const apps: FastifyInstance[] = [];
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  client = new Redis(redis.url);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(connections.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

/** One instance as main.ts builds it with REDIS_URL, listening on a free loopback port. */
async function instance(env: Record<string, string> = {}) {
  const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_URL: redis.url, TOKEN_SIGNING_KEY: KEY, PSEUDONYM_KEY: KEY, ...env });
  const silent = { info: () => {}, error: () => {} };
  const connection = await RedisConnection.connect(config.REDIS_URL!, silent);
  connections.push(connection);
  const app = await buildApp({
    config,
    assistant: assistant({ sessions: new RedisSessionStore(connection, { ttlMs: config.CONVERSATION_TTL_SECONDS * 1000 }) }),
    redis: connection,
  });
  apps.push(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

async function start(app: FastifyInstance) {
  const res = await app.inject({ method: 'POST', url: '/api/webchat/token' });
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string; conversationId: string }>();
}

function post(app: FastifyInstance, c: { token: string; conversationId: string }, payload: object) {
  return app.inject({
    method: 'POST',
    url: `/v3/directline/conversations/${c.conversationId}/activities`,
    headers: { authorization: `Bearer ${c.token}` },
    payload: { type: 'message', from: { id: 'visitor' }, ...payload },
  });
}

async function poll(app: FastifyInstance, c: { token: string; conversationId: string }, watermark?: string) {
  const res = await app.inject({
    url: `/v3/directline/conversations/${c.conversationId}/activities${watermark ? `?watermark=${watermark}` : ''}`,
    headers: { authorization: `Bearer ${c.token}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ activities: Activity[]; watermark: string }>();
}

const answerTo = (activities: Activity[], id: string) =>
  activities
    .filter((a) => a.replyToId === id)
    .map((a) => a.text ?? '')
    .join('\n');

describe('Direct Line on several instances over one Redis', () => {
  it('continues a conversation started on A with a message posted on B, the answer polled on A, a follow-up on B', async () => {
    const a = await instance();
    const b = await instance();
    const c = await start(a.app);
    const sent = await post(b.app, c, { text: 'what is the budget of the mission?' });
    expect(sent.statusCode).toBe(200);
    const { id } = sent.json<{ id: string }>();
    const onA = await poll(a.app, c);
    expect(answerTo(onA.activities, id)).toMatch(/17,510,500/);
    // The echo and the answer, under one watermark sequence whichever instance kept them.
    expect(onA.activities[0]).toMatchObject({ id, from: { id: 'visitor' }, text: 'what is the budget of the mission?' });
    expect(Number(onA.watermark)).toBe(onA.activities.length);

    const follow = (await post(a.app, c, { text: 'and in Serbian?' })).json<{ id: string }>();
    const after = await poll(b.app, c, onA.watermark);
    expect(after.activities[0]!.id).toBe(follow.id);
    expect(answerTo(after.activities, follow.id)).toContain('17.510.500');
  }, 15_000);

  it('keeps 8 activities per conversation in Redis, with the conversation’s expiry', async () => {
    const a = await instance({ CONVERSATION_TTL_SECONDS: '120' });
    const b = await instance({ CONVERSATION_TTL_SECONDS: '120' });
    const c = await start(a.app);
    for (const [i, text] of ['hello', 'budget?', 'who is the head of mission?', 'thanks', 'hello again', 'budget?'].entries())
      expect((await post(i % 2 ? b.app : a.app, c, { text })).statusCode).toBe(200);
    const set = await poll(b.app, c);
    expect(set.activities).toHaveLength(8);
    expect(Number(set.watermark)).toBeGreaterThan(8);
    expect(Number(set.activities.at(-1)!.id.split('|')[1])).toBe(Number(set.watermark));
    const keys = await client.keys(`osce:dl:{${c.conversationId}}*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(100_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    }
    expect(await client.llen(`osce:dl:{${c.conversationId}}:activities`)).toBe(8);
  }, 15_000);

  it('answers a clientActivityID posted to A then retried on B once, with the same id; also when both arrive at once', async () => {
    const a = await instance();
    const b = await instance();
    const c = await start(a.app);
    const first = await post(a.app, c, { text: 'budget?', channelData: { clientActivityID: 'retry-1' } });
    const retry = await post(b.app, c, { text: 'budget?', channelData: { clientActivityID: 'retry-1' } });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());

    const [x, y] = await Promise.all([
      post(a.app, c, { text: 'who is the head of mission?', channelData: { clientActivityID: 'twice-2' } }),
      post(b.app, c, { text: 'who is the head of mission?', channelData: { clientActivityID: 'twice-2' } }),
    ]);
    expect(x.json()).toEqual(y.json());

    const { activities } = await poll(b.app, c);
    const echoes = activities.filter((e) => e.from.id === 'visitor');
    expect(echoes.map((e) => e.channelData?.clientActivityID)).toEqual(['retry-1', 'twice-2']);
    expect(echoes.map((e) => e.id)).toEqual([first.json().id, x.json().id]);
    // One answer each: the bot's activities reply to the two kept messages only.
    const replies = activities.filter((e) => e.from.role === 'bot');
    expect(new Set(replies.map((r) => r.replyToId))).toEqual(new Set(echoes.map((e) => e.id)));
    expect(replies.length).toBe(activities.length - 2);
    expect(answerTo(activities, first.json().id)).toMatch(/17,510,500/);
  }, 15_000);

  it('streams to a botframework-directlinejs client on A the answer to a message posted on B', async () => {
    const a = await instance();
    const b = await instance();
    const c = await start(a.app);
    const dl = new DirectLine({ token: c.token, conversationId: c.conversationId, domain: `${a.url}/v3/directline`, webSocket: true });
    const seen: DlActivity[] = [];
    const subscription = dl.activity$.subscribe((activity) => seen.push(activity));
    try {
      await new Promise<void>((resolve) => dl.connectionStatus$.subscribe((s) => s === ConnectionStatus.Online && resolve()));
      // The client's stream on A is open: what B keeps now reaches it through Redis pub/sub, not its backlog.
      const sockets = () => (a.app as unknown as { websocketServer: { clients: Set<unknown> } }).websocketServer.clients.size;
      for (let i = 0; i < 100 && !sockets(); i++) await sleep(20);
      expect(sockets()).toBe(1);
      await sleep(50);
      const { id } = (await post(b.app, c, { text: 'what is the budget of the mission?' })).json<{ id: string }>();
      for (let i = 0; i < 200 && !seen.some((s) => s.replyToId === id); i++) await sleep(20);
      const replies = seen.filter((s) => s.replyToId === id);
      expect(replies.map((r) => ('text' in r ? r.text : '')).join('\n')).toMatch(/17,510,500/);
      // The person's own message came too (Web Chat marks it sent), once, before the answer.
      expect(seen.filter((s) => s.id === id)).toHaveLength(1);
      expect(seen.findIndex((s) => s.id === id)).toBeLessThan(seen.indexOf(replies[0]!));
    } finally {
      subscription.unsubscribe();
      dl.end();
    }
  }, 15_000);

  it('accepts on B a token issued by A (refresh, conversation, stream), and refuses one signed with another key', async () => {
    const a = await instance();
    const b = await instance();
    const c = await start(a.app);
    const headers = { authorization: `Bearer ${c.token}` };
    const refreshed = await b.app.inject({ method: 'POST', url: '/v3/directline/tokens/refresh', headers });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).toMatchObject({ conversationId: c.conversationId });
    const opened = await b.app.inject({ method: 'POST', url: '/v3/directline/conversations', headers });
    expect(opened.statusCode).toBe(201);
    expect(opened.json()).toMatchObject({ conversationId: c.conversationId, streamUrl: expect.stringContaining(c.conversationId) });
    // The refreshed token (signed by B) works on A.
    const again = { token: refreshed.json<{ token: string }>().token, conversationId: c.conversationId };
    expect((await post(a.app, again, { text: 'hello' })).statusCode).toBe(200);

    const other = await instance({ TOKEN_SIGNING_KEY: 'another-key-of-another-deployment-0000000' });
    const foreign = await start(other.app);
    expect((await post(b.app, foreign, { text: 'hello' })).statusCode).toBe(403);
  }, 15_000);

  it('while Redis is lost, answers on the instance that gets a message and tells its streams; shares again once it is back', async () => {
    const a = await instance();
    const b = await instance();
    const c = await start(a.app);
    const frames: { activities: Activity[] }[] = [];
    const ws = new WebSocket(`${a.url.replace(/^http/, 'ws')}/v3/directline/conversations/${c.conversationId}/stream?t=${encodeURIComponent(c.token)}`);
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    const replied = async (id: string) => {
      for (let i = 0; i < 200 && !frames.some((f) => f.activities.some((x) => x.replyToId === id)); i++) await sleep(20);
      return answerTo(frames.flatMap((f) => f.activities), id);
    };
    const subscribed = async () => {
      for (let i = 0; i < 150 && !(await client.pubsub('NUMSUB', 'osce:dl:activities'))[1]; i++) await sleep(20);
    };
    let stopped = false;
    try {
      await subscribed();
      await redis.stop();
      stopped = true;
      const lost = await post(a.app, c, { text: 'what is the budget of the mission?' });
      expect(lost.statusCode).toBe(200);
      expect(await replied(lost.json<{ id: string }>().id)).toMatch(/17,510,500/);

      await redis.start();
      stopped = false;
      for (const app of [a.app, b.app]) for (let i = 0; i < 60 && (await app.inject('/readyz')).statusCode !== 200; i++) await sleep(100);
      await subscribed();
      // Redis came back empty: the conversation, whose token is valid, starts again there; B's message reaches A's stream.
      const back = await post(b.app, c, { text: 'who is the head of mission?' });
      expect(back.statusCode).toBe(200);
      expect(await replied(back.json<{ id: string }>().id)).not.toBe('');
      expect((await poll(a.app, c)).activities[0]!.id).toBe(back.json<{ id: string }>().id);
    } finally {
      ws.close();
      if (stopped) await redis.start();
    }
  }, 20_000);

  it('refuses to start with REDIS_URL and no TOKEN_SIGNING_KEY, saying why', () => {
    expect(() => loadConfig({ REDIS_URL: redis.url })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: redis.url })).toThrow(/TOKEN_SIGNING_KEY: with REDIS_URL .*random per start/);
    expect(loadConfig({ REDIS_URL: redis.url, TOKEN_SIGNING_KEY: KEY, PSEUDONYM_KEY: KEY }).REDIS_URL).toBe(redis.url);
    // Shared records: one pseudonym per conversation on every instance, so the key cannot be random either.
    expect(() => loadConfig({ REDIS_URL: redis.url, TOKEN_SIGNING_KEY: KEY })).toThrow(/PSEUDONYM_KEY: with REDIS_URL .*random per start/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://assistant@db.example.org:5432/assistant' })).toThrow(/PSEUDONYM_KEY: with DATABASE_URL/);
    expect(() => loadConfig({})).not.toThrow();
  });
});
