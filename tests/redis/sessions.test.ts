import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply, Turn } from '../../src/core/reply.js';
import type { Session } from '../../src/dialogue/session.js';
import { RedisConnection } from '../../src/storage/redis/connection.js';
import { RedisSessionStore } from '../../src/storage/redis/sessions.js';
import { assistant } from '../support/engine.js';
import { RedisServer } from './redis-server.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A seeded random (mulberry32), so that two assistants draw the same quiz round. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quiet = { info: () => {}, error: () => {} };
const TTL = 60_000;

let redis: RedisServer;
const connections: RedisConnection[] = [];
/** One instance's own connection to the shared Redis. */
async function connect(log = quiet): Promise<RedisConnection> {
  const connection = await RedisConnection.connect(redis.url, log);
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await redis.stop();
});

/** The store of an instance whose Redis is far away: every load takes a while (the lock must cover it). */
class SlowRedisStore extends RedisSessionStore {
  override async load(id: string): Promise<Session | undefined> {
    await sleep(40);
    return super.load(id);
  }
}

const TURNS: Omit<Turn, 'sessionId'>[] = [
  { text: 'what is the budget of the mission?' },
  { text: 'and in Serbian?' },
  { text: 'a ka zyre ne peje?' },
  { text: 'po ne prizren?' },
  { text: 'quiz' },
  { text: '1' },
];

describe('conversations in Redis', () => {
  it('go on across two instances, each with its own client: follow-up, language switch and quiz', async () => {
    const alone = assistant({ random: seeded(7) });
    const expected: Reply[] = [];
    for (const turn of TURNS) expected.push(await alone.handle({ ...turn, sessionId: 'c' }));
    const press = (r: Reply) => r.quiz!.answerPayload.replace('{i}', '2');
    expected.push(await alone.handle({ sessionId: 'c', text: '', payload: press(expected.at(-1)!) }));
    expected.push(await alone.handle({ sessionId: 'c', text: 'stop' }));

    const instances = [
      assistant({ sessions: new RedisSessionStore(await connect(), { ttlMs: TTL }), random: seeded(7) }),
      assistant({ sessions: new RedisSessionStore(await connect(), { ttlMs: TTL }), random: seeded(7) }),
    ];
    const turns = [...TURNS, { text: '', payload: press(expected[TURNS.length - 1]!) }, { text: 'stop' }];
    const got: Reply[] = [];
    for (const [i, turn] of turns.entries()) got.push(await instances[i % 2]!.handle({ ...turn, sessionId: 'c' }));

    expect(got).toEqual(expected);
    expect(got[1]).toMatchObject({ intent: 'change_language', lang: 'sr-Latn' });
    expect(got[1]!.messages[1]!.text).toContain('17.510.500');
    expect(got[3]).toMatchObject({ intent: 'offices', place: 'prizren', lang: 'sr-Latn' });
    expect(got[6]!.messages.at(-1)!.text).toContain('3 od 5');
    expect(got[7]!.messages[0]!.text).toContain('Kviz je prekinut');

    // Kept as JSON with the idle expiry renewed by every turn; peek reads it without renewing it.
    const raw = new Redis(redis.url);
    try {
      expect(JSON.parse((await raw.get('osce:session:c'))!)).toMatchObject({ lang: 'sr-Latn', turns: 8, lastIntent: 'offices', lastPlace: 'prizren' });
      const ttl = await raw.pttl('osce:session:c');
      expect(ttl).toBeGreaterThan(TTL - 5_000);
      expect(ttl).toBeLessThanOrEqual(TTL);
      await raw.pexpire('osce:session:c', 10_000);
      expect(await instances[0]!.sourceOf('c')).toBeUndefined();
      expect(await raw.pttl('osce:session:c')).toBeLessThanOrEqual(10_000);
      expect(await raw.keys('osce:lock:*')).toEqual([]);
    } finally {
      raw.disconnect();
    }
  }, 15_000);

  it('are answered one turn at a time across instances: a follow-up sent to the other instance waits for the first', async () => {
    const a = assistant({ sessions: new SlowRedisStore(await connect(), { ttlMs: TTL }) });
    const b = assistant({ sessions: new RedisSessionStore(await connect(), { ttlMs: TTL }) });
    const done: string[] = [];
    const first = a.handle({ sessionId: 'both', text: 'budget?' }).then((r) => (done.push('first'), r));
    await sleep(10); // A holds the lock and is loading
    const second = b.handle({ sessionId: 'both', text: 'and in Serbian?' }).then((r) => (done.push('second'), r));
    expect((await first).intent).toBe('budget');
    const follow = await second;
    expect(done).toEqual(['first', 'second']);
    expect(follow).toMatchObject({ intent: 'change_language', lang: 'sr-Latn' });
    expect(follow.messages[1]!.text).toContain('17.510.500');

    // Many turns at once, alternately on each instance: none is lost (without the lock, concurrent turns read the
    // same state and the last save wins).
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).handle({ sessionId: 'crowd', text: 'hello' })));
    const raw = new Redis(redis.url);
    try {
      expect(JSON.parse((await raw.get('osce:session:crowd'))!)).toMatchObject({ turns: 12 });
    } finally {
      raw.disconnect();
    }
  }, 15_000);

  it('free a lock whose holder died after its expiry, and never release a lock that is not theirs', async () => {
    const connection = await connect();
    const store = new RedisSessionStore(connection, { ttlMs: TTL, lockMs: 300 });
    // A lock left by an instance that was killed mid-turn.
    await connection.client.set('osce:lock:orphan', 'dead-instance', 'PX', 300);
    const started = Date.now();
    await store.withLock('orphan', async () => {
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      // This turn outlives its lock; another takes the conversation meanwhile.
      await sleep(350);
      await connection.client.set('osce:lock:orphan', 'next-turn', 'PX', 5_000);
    });
    expect(await connection.client.get('osce:lock:orphan')).toBe('next-turn');
  });
});
