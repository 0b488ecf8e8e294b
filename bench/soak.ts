/**
 * `npm run bench:soak`: does memory stay flat over a long run? 200,000 messages over 5,000 conversations,
 * (a) straight through the engine in this process and (b) through Direct Line over HTTP to the production build in
 * its own process. Memory is read after the first 10,000 messages and at the end, each time after a full garbage
 * collection; errors are counted and every message must be answered.
 *
 * Target: memory at the end within 20% of memory after the first 10,000 messages, no error, every message answered.
 *
 * Messages are the held-out and development questions (tests/heldout, bench/dev) with random variations (case,
 * diacritics dropped, typos, punctuation, greetings, numbers), from a seeded generator: the same 200,000 messages,
 * in the same conversations and order, on both paths. Message i goes to conversation i mod 5,000.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Assistant } from '../src/dialogue/assistant.js';
import { PROJECT_ROOT, loadKnowledgeOrThrow } from '../src/knowledge/load.js';
import { DEV_SET, heldOut, outOfScope } from '../tests/heldout/load.js';

const MESSAGES = 200_000;
const CONVERSATIONS = 5_000;
const CHECKPOINT = 10_000;
const IN_FLIGHT = 64;
const TARGET = 0.2;

// A full collection on demand in this process (the engine path), without a flag on the command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const fullGc = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
};

const progress = (line: string) => process.stderr.write(`[soak] ${line}\n`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const pct = (from: number, to: number) => `${to >= from ? '+' : ''}${((100 * (to - from)) / from).toFixed(1)}%`;

// ---- The messages: held-out and development texts, varied.
const kb = loadKnowledgeOrThrow();
const engine = new Assistant(kb);
const bases = [...new Set([...heldOut(), ...heldOut(DEV_SET), ...outOfScope(), ...outOfScope(DEV_SET)].map((c) => c.text))];
// A language switch answers with two messages ("switched" + the menu or the last answer again); leave those out so
// that every message is answered by exactly one activity (the watermark check below counts on it, and verifies it).
const probe = new Assistant(kb, { nlu: engine.nlu });
const texts = bases.filter((text, i) => {
  const reply = probe.respond({ sessionId: `probe-${i}`, text });
  return reply.messages.length === 1 && reply.intent !== 'change_language';
});
progress(`${texts.length} base texts (${bases.length - texts.length} language switches left out)`);

let seed = 0x05ce_50a4;
const random = () => {
  // mulberry32: small, fast, seeded.
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const at = (text: string) => Math.floor(random() * text.length);

function vary(text: string): string {
  switch (Math.floor(random() * 10)) {
    case 0:
      return text.toLowerCase();
    case 1:
      return text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
    case 2: {
      const i = at(text);
      return text.slice(0, i) + text.slice(i + 1);
    }
    case 3: {
      const i = at(text);
      return text.slice(0, i) + (text[i + 1] ?? '') + (text[i] ?? '') + text.slice(i + 2);
    }
    case 4: {
      const i = at(text);
      return text.slice(0, i) + (text[i] ?? '') + text.slice(i);
    }
    case 5:
      return text.replace(/[?.!]+$/, '') + pick(['?', '??', '!', ' ?', '...', '', ' 🙂']);
    case 6:
      return pick(['hi ', 'pls ', 'hello, ', 'pershendetje, ', 'tung ', 'zdravo, ', 'molim vas ', 'здраво, ', '']) + text;
    case 7:
      return `${text} ${pick(['pls', 'please', 'ju lutem', 'molim', 'молим', String(Math.floor(random() * 10_000)), '#' + Math.floor(random() * 100)])}`;
    default:
      return text;
  }
}
// Flattened now: a message built by concatenation is a rope that the engine's first string operation flattens into a
// new string, which the array below would then keep – memory that would grow during the run and be blamed on the engine.
const flat = (s: string) => s.split('').join('');
const messages = Array.from({ length: MESSAGES }, () => flat(vary(pick(texts))));
const conversationOf = (i: number) => i % CONVERSATIONS;

interface Row {
  path: string;
  messages: number;
  conversations: number;
  seconds: number;
  at10k: { heap: number; rss: number };
  atEnd: { heap: number; rss: number };
  errors: number;
  answered: boolean;
  note?: string;
}
const rows: Row[] = [];

// ---- (a) The engine, in this process.
const botActivities = new Uint32Array(CONVERSATIONS);
{
  let errors = 0;
  let unanswered = 0;
  let multi = 0;
  const multiExamples = new Map<string, string>();
  let at10k = { heap: 0, rss: 0 };
  await fullGc();
  const started = performance.now();
  let paused = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const c = conversationOf(i);
    try {
      const reply = engine.respond({ sessionId: `soak-${c}`, text: messages[i]! });
      if (!reply.messages.length || reply.messages.some((m) => !m.text.trim())) unanswered++;
      if (reply.messages.length !== 1) {
        multi++;
        if (multiExamples.size < 4) multiExamples.set(messages[i]!, reply.intent ?? 'none');
      }
      botActivities[c]! += reply.messages.length;
    } catch {
      errors++;
    }
    if (i + 1 === CHECKPOINT || i + 1 === MESSAGES) {
      const t = performance.now();
      await fullGc();
      const m = process.memoryUsage();
      if (i + 1 === CHECKPOINT) at10k = { heap: m.heapUsed, rss: m.rss };
      else rows.push({ path: 'engine (`Assistant.respond`, this process)', messages: MESSAGES, conversations: CONVERSATIONS, seconds: 0, at10k, atEnd: { heap: m.heapUsed, rss: m.rss }, errors, answered: unanswered === 0, note: multi ? `${multi} replies of more than one message (${[...multiExamples].map(([t, intent]) => `${JSON.stringify(t)} → ${intent}`).join(', ')}…)` : undefined });
      paused += performance.now() - t;
    }
    if ((i + 1) % 20_000 === 0) progress(`engine: ${i + 1} messages, heap ${mb(process.memoryUsage().heapUsed)}, rss ${mb(process.memoryUsage().rss)}`);
  }
  rows[rows.length - 1]!.seconds = (performance.now() - started - paused) / 1000;
  progress(`engine: done, ${engine.activeSessions} sessions kept`);
}

// ---- (b) Direct Line over HTTP, the production build in its own process.
const port = await new Promise<number>((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = s.address() as { port: number };
    s.close(() => resolve(free));
  });
  s.on('error', reject);
});
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'osce-soak-'));
// /metrics is served only with a token (it is not for everyone); this run makes one up.
const METRICS_TOKEN = randomBytes(32).toString('base64url');
const metricsText = async () => (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  DATA_DIR: dataDir,
  CONVERSATIONS_PER_MINUTE: '100000000',
  MESSAGES_PER_MINUTE: '100000000',
  METRICS_TOKEN,
};
for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_URL', 'DIRECTLINE_SECRET', 'PUBLIC_URL']) delete env[name];
// The one addition to `node dist/server/main.js`: SIGUSR2 runs a full garbage collection in the server, so that the
// heap it reports at each checkpoint is what it keeps, not garbage that happens to be waiting for collection.
const gcOnSignal = "data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())";
const server = spawn(process.execPath, ['--expose-gc', `--import=${gcOnSignal}`, 'dist/server/main.js'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 2, 2] });
const serverExited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));

/** Runs `work(i)` for i in [from, to) with at most IN_FLIGHT at once. */
async function pool(from: number, to: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < to; i = next++) await work(i);
    }),
  );
}

async function serverMemory(): Promise<{ heap: number; rss: number }> {
  server.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 1500));
  const text = await metricsText();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (!line) throw new Error(`/metrics has no ${name}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { heap: value('nodejs_heap_size_used_bytes'), rss: value('process_resident_memory_bytes') };
}

let storeNote = '';
try {
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 300) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const conversations: { conversationId: string; token: string }[] = new Array(CONVERSATIONS);
  let errors = 0;
  const statuses = new Map<string, number>();
  const fail = (why: string) => {
    errors++;
    statuses.set(why, (statuses.get(why) ?? 0) + 1);
  };
  await pool(0, CONVERSATIONS, async (c) => {
    const res = await fetch(`${base}/api/webchat/token`, { method: 'POST' });
    if (!res.ok) throw new Error(`cannot start a conversation: ${res.status}`);
    conversations[c] = (await res.json()) as { conversationId: string; token: string };
  });
  progress(`http: ${CONVERSATIONS} conversations started on ${base}`);

  const sent = new Uint32Array(CONVERSATIONS);
  const acknowledged = new Uint32Array(CONVERSATIONS);
  const post = async (i: number) => {
    const c = conversationOf(i);
    const { conversationId, token } = conversations[c]!;
    sent[c]! += 1;
    try {
      const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: messages[i], from: { id: 'soak' } }),
      });
      const body = (await res.json()) as { id?: unknown };
      if (!res.ok) return fail(`HTTP ${res.status}`);
      if (typeof body.id !== 'string' || !body.id.startsWith(`${conversationId}|`)) return fail('no activity id');
      acknowledged[c]! += 1;
    } catch (error) {
      fail((error as Error).message);
    }
  };

  const started = performance.now();
  await pool(0, CHECKPOINT, post);
  let paused = performance.now();
  const at10k = await serverMemory();
  progress(`http: ${CHECKPOINT} messages, server heap ${mb(at10k.heap)}, rss ${mb(at10k.rss)}`);
  paused = performance.now() - paused;
  for (let from = CHECKPOINT; from < MESSAGES; from += 20_000) {
    await pool(from, Math.min(MESSAGES, from + 20_000), post);
    const rss = (await metricsText()).match(/^process_resident_memory_bytes (\S+)/m)?.[1];
    progress(`http: ${Math.min(MESSAGES, from + 20_000)} messages, ${errors} errors, server rss ${mb(Number(rss))}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const seconds = (performance.now() - started - paused) / 1000;
  const atEnd = await serverMemory();

  // Every message answered: the watermark of a conversation counts its messages and the bot's answers.
  let mismatched = 0;
  let notDouble = 0;
  await pool(0, CONVERSATIONS, async (c) => {
    const { conversationId, token } = conversations[c]!;
    const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities?watermark=999999999`, { headers: { authorization: `Bearer ${token}` } });
    const { watermark } = (await res.json()) as { watermark: string };
    if (Number(watermark) !== sent[c]! + botActivities[c]!) mismatched++;
    if (Number(watermark) !== 2 * sent[c]!) notDouble++;
  });
  const acked = acknowledged.reduce((n, a) => n + a, 0);

  // What the Direct Line store keeps: the activities of a sample of conversations, as the server holds them
  // (one JSON string per activity; V8 stores a string with any character above U+00FF at two bytes a character).
  const SAMPLE = 200;
  let kept = 0;
  let bytes = 0;
  let botBytes = 0;
  let bot = 0;
  for (let c = 0; c < SAMPLE; c++) {
    const { conversationId, token } = conversations[Math.floor((c * CONVERSATIONS) / SAMPLE)]!;
    const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
    const { activities } = (await res.json()) as { activities: { from?: { role?: string } }[] };
    for (const a of activities) {
      const json = JSON.stringify(a);
      const size = /[^\u0000-\u00ff]/.test(json) ? 2 * json.length : json.length;
      kept++;
      bytes += size;
      if (a.from?.role === 'bot') {
        bot++;
        botBytes += size;
      }
    }
  }
  const perConversation = bytes / SAMPLE;
  storeNote =
    `Direct Line store at the end (sample of ${SAMPLE} conversations): ${(kept / SAMPLE).toFixed(0)} activities kept per conversation, ` +
    `${(perConversation / 1024).toFixed(0)} KiB of JSON strings per conversation (a bot answer ${(botBytes / bot / 1024).toFixed(1)} KiB, ` +
    `a user message ${((bytes - botBytes) / Math.max(1, kept - bot) / 1024).toFixed(1)} KiB), so about ${mb(perConversation * CONVERSATIONS)} for ` +
    `${CONVERSATIONS} conversations; the server heap grew by ${mb(atEnd.heap - at10k.heap)}.`;

  rows.push({
    path: 'Direct Line over HTTP (production build, own process)',
    messages: MESSAGES,
    conversations: CONVERSATIONS,
    seconds,
    at10k,
    atEnd,
    errors,
    answered: acked === MESSAGES && mismatched === 0,
    note:
      `${acked} of ${MESSAGES} posts acknowledged with an id; ${CONVERSATIONS - mismatched} of ${CONVERSATIONS} watermarks = messages + answers` +
      `${notDouble ? ` (${notDouble} not twice the messages)` : ' (= twice the messages)'}` +
      (statuses.size ? `; errors: ${[...statuses].map(([k, v]) => `${k} × ${v}`).join(', ')}` : ''),
  });
} finally {
  server.kill('SIGTERM');
  await Promise.race([serverExited, new Promise((r) => setTimeout(r, 5000))]);
  rmSync(dataDir, { recursive: true, force: true });
}

// ---- Report.
console.log(`## Soak: ${MESSAGES.toLocaleString('en')} messages over ${CONVERSATIONS.toLocaleString('en')} conversations\n`);
console.log('| path | messages | conversations | duration | messages/s | memory after 10k (heap · RSS) | memory at end (heap · RSS) | change (heap · RSS) | errors | all answered |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.path} | ${r.messages.toLocaleString('en')} | ${r.conversations.toLocaleString('en')} | ${r.seconds.toFixed(1)} s | ${Math.round(r.messages / r.seconds).toLocaleString('en')} | ` +
      `${mb(r.at10k.heap)} · ${mb(r.at10k.rss)} | ${mb(r.atEnd.heap)} · ${mb(r.atEnd.rss)} | ${pct(r.at10k.heap, r.atEnd.heap)} · ${pct(r.at10k.rss, r.atEnd.rss)} | ${r.errors} | ${r.answered ? 'yes' : 'no'} |`,
  );
}
console.log('');
for (const r of rows) {
  const within = (from: number, to: number) => Math.abs(to - from) <= TARGET * from;
  const memory = within(r.at10k.heap, r.atEnd.heap) && within(r.at10k.rss, r.atEnd.rss);
  const met = memory && r.errors === 0 && r.answered;
  const why = [memory ? '' : 'memory grew past 20%', r.errors ? `${r.errors} errors` : '', r.answered ? '' : 'not every message answered'].filter(Boolean).join(', ');
  console.log(`- ${r.path}: target (memory at the end within 20% of memory after the first 10,000, no error, every message answered) **${met ? 'met' : `not met: ${why}`}**.${r.note ? ` ${r.note}.` : ''}`);
}
if (storeNote) console.log(`- ${storeNote}`);
console.log(`\nMemory is read after a full garbage collection: in this process for the engine; in the server (SIGUSR2 → gc()) before reading its /metrics.`);
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`);
