/**
 * `npm run bench:instances`, second part: the same over HTTP, with real server processes (the production build)
 * behind no balancer but the load generator itself: Direct Line messages per second and p99 round trip, 50
 * conversations flat out for SECONDS, for
 * - one instance alone (conversations in memory),
 * - one instance with REDIS_URL,
 * - two instances on one Redis, the load generator sending each request to the next instance in turn (so every
 *   conversation's messages alternate between the two processes, as behind a round-robin balancer).
 * The three run one after another in this run; the ratios are to the first. All processes share this machine's
 * cores with the load generator and redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../src/knowledge/load.js';
import { RedisServer, freePort } from '../tests/redis/redis-server.js';
import { directLinePosts } from './directline-load.js';

const CONVERSATIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KEY = randomBytes(32).toString('base64url');
const dataDir = mkdtempSync(join(tmpdir(), 'bench-instances-'));

async function instance(redisUrl?: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: PROJECT_ROOT,
    // Capacity is measured: the rate limits are lifted.
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CONVERSATIONS_PER_MINUTE: '1000000',
      MESSAGES_PER_MINUTE: '1000000',
      DATA_DIR: join(dataDir, String(port)),
      TOKEN_SIGNING_KEY: KEY,
      PSEUDONYM_KEY: KEY,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    },
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { url, child };
    if (i > 300) throw new Error('an instance did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** 50 conversations flat out against the instances, each request to the next instance in turn. */
async function load(urls: string[]): Promise<autocannon.Result[]> {
  const conversations = await Promise.all(
    Array.from({ length: CONVERSATIONS }, async () => (await (await fetch(`${urls[0]}/api/webchat/token`, { method: 'POST' })).json()) as { token: string; conversationId: string }),
  );
  const turn = { next: 0 };
  const connections = Math.ceil(CONVERSATIONS / urls.length);
  // One autocannon per instance, running together; each request takes the next conversation, whichever instance.
  return Promise.all(urls.map((url) => autocannon({ url, connections, duration: SECONDS, ...directLinePosts(conversations, turn) })));
}

const redis = await RedisServer.start();
const children: ChildProcess[] = [];
try {
  const rows: { name: string; rate: number; p99: number; errors: number }[] = [];
  for (const [name, count, shared] of [
    ['one instance, memory', 1, false],
    ['one instance, Redis', 1, true],
    ['two instances, one Redis', 2, true],
  ] as const) {
    const started = await Promise.all(Array.from({ length: count }, () => instance(shared ? redis.url : undefined)));
    children.push(...started.map((s) => s.child));
    const results = await load(started.map((s) => s.url));
    rows.push({
      name,
      rate: results.reduce((n, r) => n + r.requests.average, 0),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      errors: results.reduce((n, r) => n + r.errors + r.non2xx + r.mismatches, 0),
    });
    for (const s of started) s.child.kill('SIGTERM');
    await Promise.all(started.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve(null) : s.child.once('exit', resolve)))));
  }
  const base = rows[0]!;
  console.log(`\n## Over HTTP: Direct Line, ${CONVERSATIONS} conversations flat out, ${SECONDS} s per setup, real server processes\n`);
  console.log('| setup | messages/s | × one instance | p99 | × one instance | errors |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(`| ${r.name} | ${Math.round(r.rate).toLocaleString('en')} | ${(r.rate / base.rate).toFixed(2)} | ${r.p99} ms | ${(r.p99 / base.p99).toFixed(2)} | ${r.errors} |`);
  console.log(`\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; every process (instances, load generator, redis-server) on the same cores.`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
