// The Telegram bot alone, on the production build, for bench/telegram.ts: polls the Bot API at TELEGRAM_API_ROOT.
const { Assistant } = await import('../dist/dialogue/assistant.js');
const { loadKnowledgeOrThrow } = await import('../dist/knowledge/load.js');
const { createTelegramBot } = await import('../dist/channels/telegram/bot.js');
const { runTelegram } = await import('../dist/channels/telegram/run.js');
const kb = loadKnowledgeOrThrow();
const log = { info: () => {}, warn: (f, m) => console.error(m, f), error: (f, m) => console.error(m, f) };
const { bot } = createTelegramBot({ token: '123456:BENCH', apiRoot: process.env.TELEGRAM_API_ROOT, assistant: new Assistant(kb), log });
const run = runTelegram(bot, { kb, log });
await run.started;
process.stdout.write('ready\n');
process.on('SIGTERM', () => (run.stop(), process.exit(0)));
