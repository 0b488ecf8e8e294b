/**
 * `npm run bench:instances`: what sharing conversations through Redis costs. The same conversations through the
 * engine's entry point (`Assistant.handle`), side by side in one run:
 * - one instance, conversations in its memory (`npm start` alone);
 * - one instance, conversations in Redis (`REDIS_URL`): a load, a lock, a save per turn;
 * - two instances on one Redis, each conversation's turns alternating between them (two engines with their own
 *   Redis connections, in this one process: what is measured is the cost of sharing, not a second core's gain).
 * CONCURRENT conversations at a time, each TURNS turns (held-out questions, with follow-ups), on a real
 * redis-server of Debian's package on a free loopback port. Rounds interleave the three, so that the machine's
 * drift (±20% here) falls on all alike; the figures are the median round's, and the ratios to memory.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Turn } from '../src/core/reply.js';
import { Assistant } from '../src/dialogue/assistant.js';
import { MemorySessionStore, type SessionStore } from '../src/dialogue/session.js';
import { loadKnowledgeOrThrow } from '../src/knowledge/load.js';
import { loadNlu } from '../src/nlu/model-file.js';
import { RedisConnection } from '../src/storage/redis/connection.js';
import { RedisSessionStore } from '../src/storage/redis/sessions.js';
import { heldOut } from '../tests/heldout/load.js';
import { RedisServer } from '../tests/redis/redis-server.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, conversations: { type: 'string', default: '200' } } });
const ROUNDS = Number(values.rounds);
const CONVERSATIONS = Number(values.conversations);
const CONCURRENT = 50;
const TURNS = 6;
const TTL_MS = 30 * 60_000;
const FOLLOW_UPS = ['and in Serbian?', 'po ne Prizren?', 'a u Peći?', 'thanks', 'and the phone number?'];

const kb = loadKnowledgeOrThrow();
const { nlu } = loadNlu(kb);
const questions = heldOut().map((c) => c.text);
const quiet = { error: () => undefined, info: () => undefined };

type Setup = { name: string; instances: Assistant[]; close: () => Promise<void> };

async function setups(redisUrl: string): Promise<Setup[]> {
  const memory: Setup = { name: 'one instance, memory', instances: [new Assistant(kb, { nlu, sessions: new MemorySessionStore({ ttlMs: TTL_MS, max: 50_000 }) })], close: async () => undefined };
  const connect = async () => RedisConnection.connect(redisUrl, quiet);
  const a = await connect();
  const b = await connect();
  const c = await connect();
  const onRedis = (connection: RedisConnection): SessionStore => new RedisSessionStore(connection, { ttlMs: TTL_MS });
  return [
    memory,
    { name: 'one instance, Redis', instances: [new Assistant(kb, { nlu, sessions: onRedis(a) })], close: () => a.close() },
    { name: 'two instances, one Redis', instances: [new Assistant(kb, { nlu, sessions: onRedis(b) }), new Assistant(kb, { nlu, sessions: onRedis(c) })], close: async () => void (await Promise.all([b.close(), c.close()])) },
  ];
}

/** One round: CONVERSATIONS conversations of TURNS turns, CONCURRENT at a time; each turn's latency. */
async function round(setup: Setup, r: number): Promise<{ seconds: number; turns: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let c = next++; c < CONVERSATIONS; c = next++) {
      for (let t = 0; t < TURNS; t++) {
        const text = t % 2 === 0 ? questions[(c * TURNS + t) % questions.length]! : FOLLOW_UPS[(c + t) % FOLLOW_UPS.length]!;
        const turn: Turn = { sessionId: `bench-${setup.name}-${r}-${c}`, text, channel: 'bench' };
        // Two instances: the turns of one conversation alternate between them, as behind a round-robin balancer.
        const instance = setup.instances[t % setup.instances.length]!;
        const t0 = performance.now();
        await instance.handle(turn);
        latencies.push(performance.now() - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, worker));
  return { seconds: (performance.now() - started) / 1000, turns: latencies.length, latencies };
}

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const redis = await RedisServer.start();
try {
  const all = await setups(redis.url);
  // Warm-up: the engine's code paths and Redis connections, not measured.
  for (const s of all) await round(s, -1);
  const results = new Map<string, { rate: number; p50: number; p99: number }[]>(all.map((s) => [s.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of all) {
      const { seconds, turns, latencies } = await round(s, r);
      latencies.sort((a, b) => a - b);
      results.get(s.name)!.push({ rate: turns / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) });
    }
  }
  for (const s of all) await s.close();

  const base = results.get(all[0]!.name)!;
  const baseRate = median(base.map((x) => x.rate));
  const baseP99 = median(base.map((x) => x.p99));
  console.log(`## Sharing conversations through Redis: ${ROUNDS} rounds of ${CONVERSATIONS} conversations × ${TURNS} turns, ${CONCURRENT} at a time\n`);
  console.log('| setup | turns/s | × memory | latency p50 | p99 | × memory (p99) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, xs] of results) {
    const rate = median(xs.map((x) => x.rate));
    const p50 = median(xs.map((x) => x.p50));
    const p99 = median(xs.map((x) => x.p99));
    console.log(`| ${name} | ${Math.round(rate).toLocaleString('en')} | ${(rate / baseRate).toFixed(2)} | ${p50.toFixed(2)} ms | ${p99.toFixed(2)} ms | ${(p99 / baseP99).toFixed(2)} |`);
  }
  console.log(
    `\nEach turn through \`Assistant.handle\`: in memory a JSON load and save; with Redis a lock (SET NX PX), a load (GETEX), a save (SET PX) and a release (compare-and-delete) over loopback. Medians of the rounds, interleaved. The two instances share this process's one thread: the figure is the cost of sharing, not what a second process would add. Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; redis-server on the same cores.`,
  );
} finally {
  await redis.stop();
}
