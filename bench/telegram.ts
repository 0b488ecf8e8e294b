/**
 * `npm run bench:telegram`: Telegram updates handled end to end per second — fetched by telegraf from a local Bot
 * API stand-in, answered by the engine, sent back through the send queue — with the p99 from an update being
 * available to its answer arriving. The bot runs the production build in its own process; the stand-in runs here.
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { PROJECT_ROOT } from '../src/knowledge/load.js';
import { TelegramApiStandIn, textUpdate } from '../tests/support/telegram-api.js';

const questions = ['a ka zyre osbe ne peje?', 'what is the budget of the mission', 'ko je sef misije', 'колико људи ради у мисији', 'hello', 'faleminderit', 'what do you do for journalists', 'kako da vas kontaktiram'];
const api = await new TelegramApiStandIn().start();
const bot = spawn(process.execPath, ['bench/telegram-bot.mjs'], { cwd: PROJECT_ROOT, env: { ...process.env, TELEGRAM_API_ROOT: api.url }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => bot.stdout.once('data', () => resolve()));

let chat = 100_000;
/** Pushes updates (one per new chat), waits for each chat's first answer; returns latencies and elapsed time. */
async function run(count: number, perSecond: number | undefined) {
  const pushedAt = new Map<number, number>();
  const firstAnswer = new Map<number, number>();
  const started = performance.now();
  const seenCalls = api.calls.length;
  for (let i = 0; i < count; i++) {
    if (perSecond) {
      const due = started + (i * 1000) / perSecond;
      const now = performance.now();
      if (due > now) await new Promise((r) => setTimeout(r, due - now));
    }
    const id = ++chat;
    pushedAt.set(id, performance.now());
    api.push(textUpdate(questions[i % questions.length]!, { chat: id, language: 'en' }));
  }
  for (;;) {
    for (let c = seenCalls; c < api.calls.length; c++) {
      const call = api.calls[c]!;
      const id = Number(call.body.chat_id);
      if (call.method === 'sendMessage' && pushedAt.has(id) && !firstAnswer.has(id)) firstAnswer.set(id, call.at);
    }
    if (firstAnswer.size >= count) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsed = performance.now() - started;
  // Stand-in times are Date.now(); convert pushes to the same clock.
  const offset = Date.now() - performance.now();
  const latencies = [...firstAnswer].map(([id, at]) => at - (pushedAt.get(id)! + offset)).sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { rate: (count * 1000) / elapsed, p50: q(0.5), p99: q(0.99) };
}

try {
  await run(500, undefined); // warm-up
  const burst = await run(10_000, undefined);
  const steady = await run(5_000, 500);
  console.log('## Telegram: updates handled end to end against a local Bot API stand-in\n');
  console.log('| run | updates/s | p50 | p99 |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| 10,000 updates at once (one chat each), long polling | ${Math.round(burst.rate)} | ${burst.p50.toFixed(0)} ms | ${burst.p99.toFixed(0)} ms |`);
  console.log(`| 5,000 updates arriving at 500/s | ${Math.round(steady.rate)} | ${steady.p50.toFixed(1)} ms | ${steady.p99.toFixed(1)} ms |`);
  console.log(`\nTarget ≥ 1,000 updates/s: ${burst.rate >= 1000 ? 'met' : 'not met'}. At once, latency is mostly waiting in line behind the other updates.`);
  console.log(`\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`);
} finally {
  bot.kill('SIGTERM');
  await api.close();
}
