import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { RedisServer, freePort, redisAvailable } from './redis-server.js';

/**
 * Two server processes (`node src/server/main.ts`, as `npm start` runs it) on one real Redis, as behind a load
 * balancer: a web chat conversation started on one continues on the other, and killing one with SIGKILL
 * mid-conversation loses nothing either had acknowledged.
 */
const KEY = randomBytes(32).toString('base64url');
/** Each instance's SQLite records (the conversations are in Redis); removed after the suite. */
const DATA = mkdtempSync(join(tmpdir(), 'instances-'));

interface Instance {
  url: string;
  process: ChildProcess;
  output: string[];
}

async function startInstance(redisUrl: string): Promise<Instance> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      REDIS_URL: redisUrl,
      TOKEN_SIGNING_KEY: KEY,
      PSEUDONYM_KEY: KEY,
      DATA_DIR: join(DATA, String(port)),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the instance exited with ${child.exitCode}: ${output.join('')}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { url, process: child, output };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the instance did not become ready within 60 s: ${output.join('')}`);
}

type Activity = { id: string; text?: string; from: { role?: string }; replyToId?: string };

describe.runIf(redisAvailable)('two server processes on one Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = await RedisServer.start();
    [a, b] = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
  }, 90_000);

  afterAll(async () => {
    for (const i of [a, b]) if (i && i.process.exitCode === null && i.process.signalCode === null) i.process.kill('SIGTERM');
    await redis?.stop();
    rmSync(DATA, { recursive: true, force: true });
  });

  it('continues a web chat conversation across processes, and loses nothing acknowledged when one is killed', async () => {
    const { conversationId, token } = (await (await fetch(`${a.url}/api/webchat/token`, { method: 'POST' })).json()) as { conversationId: string; token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const path = `/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities`;
    const post = async (instance: Instance, text: string) => {
      const res = await fetch(`${instance.url}${path}`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text, from: { id: 'visitor' } }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { id: string }).id;
    };
    const read = async (instance: Instance) => ((await (await fetch(`${instance.url}${path}`, { headers })).json()) as { activities: Activity[] }).activities;
    /** Every bot message answering that activity (a language switch says so, then answers). */
    const answerTo = (activities: Activity[], id: string) =>
      activities
        .filter((x) => x.replyToId === id && x.from.role === 'bot')
        .map((x) => x.text ?? '')
        .join('\n');

    // Asked on A, read on B; the follow-up on B knows the topic A answered.
    const first = await post(a, 'what is the budget of the mission?');
    expect(answerTo(await read(b), first)).toContain('17,510,500');
    const second = await post(b, 'and in Serbian?');
    expect(answerTo(await read(a), second)).toContain('17.510.500 evra');

    // A is killed without warning; B goes on with everything acknowledged so far, and the conversation's memory.
    a.process.kill('SIGKILL');
    await new Promise((resolve) => a.process.once('exit', resolve));
    const third = await post(b, 'and in English?');
    const kept = await read(b);
    for (const id of [first, second, third]) expect(answerTo(kept, id)).not.toBe('');
    expect(answerTo(kept, third)).toContain('17,510,500');
  }, 60_000);
});
