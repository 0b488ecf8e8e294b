/**
 * `npm run bench:web`: messages per second and p99 round trip through the Direct Line endpoint, with 50
 * conversations at once, against a bare route of the same server as the ceiling; and the bytes the embed snippet
 * adds to a host page before the chat is opened. The server runs in its own process (the production build), the
 * load generator (autocannon) in this one; loopback only, 10 seconds per run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../src/knowledge/load.js';
import { LOAD_QUESTIONS, directLinePosts } from './directline-load.js';

const PORT = 39_781;
const base = `http://127.0.0.1:${PORT}`;
const CONVERSATIONS = 50;
const SECONDS = 10;
const questions = LOAD_QUESTIONS;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-web-'));
const server = spawn(process.execPath, ['dist/server/main.js'], {
  cwd: PROJECT_ROOT,
  // The rate limits would (rightly) slow this load down: the benchmark measures capacity, so they are lifted.
  env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CONVERSATIONS_PER_MINUTE: '1000000', MESSAGES_PER_MINUTE: '1000000', DATA_DIR: dataDir },
  stdio: 'inherit',
});
try {
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const conversations = await Promise.all(
    Array.from({ length: CONVERSATIONS }, async () => (await (await fetch(`${base}/api/webchat/token`, { method: 'POST' })).json()) as { token: string; conversationId: string }),
  );

  const load = () => autocannon({ url: base, connections: CONVERSATIONS, duration: SECONDS, ...directLinePosts(conversations) });
  // Flat out: every conversation sends its next message as soon as the previous one is answered.
  const directLine = await load();
  // Busy but not saturated: 50 conversations each sending a message every 50 ms, at their own moments (people type
  // far slower). Sent with fetch (keep-alive) so that each conversation keeps its own rhythm.
  const post = (c: Conversation, i: number) =>
    fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: questions[i % questions.length], from: { id: 'visitor' } }),
    });
  const steady = await steadyLoad(conversations, 50, SECONDS * 1000, post);
  // 50 conversations each sending a message a second: still far more than people type, but not a stress test.
  const lively = await steadyLoad(conversations, 1000, SECONDS * 1000, post);
  // The same rhythm on the bare route: the floor this client and machine put under any p99.
  const steadyFloor = await steadyLoad(conversations, 50, SECONDS * 1000, () => fetch(`${base}/healthz`));
  const answered = await Promise.all(
    conversations.map(async (c) => {
      const res = await fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities`, { headers: { authorization: `Bearer ${c.token}` } });
      return ((await res.json()) as { watermark: string }).watermark;
    }),
  );
  const exchanged = answered.reduce((n, w) => n + Number(w), 0) / 2;
  const ceiling = await autocannon({ url: `${base}/healthz`, connections: CONVERSATIONS, duration: SECONDS });

  const embed = readFileSync(join(PROJECT_ROOT, 'src/channels/web/public/embed.js'));
  const ratio = directLine.requests.average / ceiling.requests.average;
  console.log(`## Web chat: Direct Line under load (${CONVERSATIONS} conversations at once, ${SECONDS} s per run)\n`);
  console.log('| route | messages or requests/s | p50 | p99 | errors |');
  console.log('| --- | --- | --- | --- | --- |');
  const row = (name: string, r: autocannon.Result) =>
    console.log(`| ${name} | ${Math.round(r.requests.average)} | ${r.latency.p50} ms | ${r.latency.p99} ms | ${r.errors + r.non2xx + r.mismatches} |`);
  row('Direct Line, flat out: post a message, the bot answers (round trip)', directLine);
  console.log(`| Direct Line at ${Math.round(steady.rate)} messages/s (50 conversations, one message each every 50 ms) | ${Math.round(steady.rate)} | ${steady.p50.toFixed(1)} ms | ${steady.p99.toFixed(1)} ms | ${steady.errors} |`);
  console.log(`| Direct Line at ${Math.round(lively.rate)} messages/s (50 conversations, one message each every second) | ${Math.round(lively.rate)} | ${lively.p50.toFixed(1)} ms | ${lively.p99.toFixed(1)} ms | ${lively.errors} |`);
  row('bare route of the same server (/healthz), flat out: the ceiling', ceiling);
  console.log(`| bare route at ${Math.round(steadyFloor.rate)} requests/s (same rhythm and client as the steady Direct Line run) | ${Math.round(steadyFloor.rate)} | ${steadyFloor.p50.toFixed(1)} ms | ${steadyFloor.p99.toFixed(1)} ms | ${steadyFloor.errors} |`);
  console.log(`\n${Math.round(exchanged)} messages answered in the three Direct Line runs (each a question and the bot's answer).`);
  console.log(`Direct Line throughput flat out = ${(100 * ratio).toFixed(0)}% of the ceiling (target ≥ 50%).`);
  console.log(
    `p99 round trip with 50 conversations: ${lively.p99.toFixed(1)} ms at ${Math.round(lively.rate)} messages/s, ${steady.p99.toFixed(1)} ms at ${Math.round(steady.rate)} messages/s, ${directLine.latency.p99} ms flat out (target < 20 ms).`,
  );
  console.log(`Embed snippet before the chat is opened: ${embed.length} bytes, ${gzipSync(embed).length} bytes gzipped (target < 5 kB); no other request.`);
  console.log(`\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}

type Conversation = { token: string; conversationId: string };

/** Conversations each sending a request every `everyMs`, starting at random moments; round-trip latencies. */
async function steadyLoad(conversations: Conversation[], everyMs: number, durationMs: number, send: (c: Conversation, i: number) => Promise<Response>) {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    conversations.map(async (c, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * everyMs));
      while (performance.now() < end) {
        const started = performance.now();
        const res = await send(c, i).catch(() => undefined);
        if (!res?.ok) errors++;
        await res?.arrayBuffer();
        const took = performance.now() - started;
        latencies.push(took);
        await new Promise((r) => setTimeout(r, Math.max(0, everyMs - took)));
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rate: latencies.length / (durationMs / 1000), p50: q(0.5), p99: q(0.99), errors };
}
