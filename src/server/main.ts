/**
 * `npm start`: the assistant as a web service – the chat page and embed snippet, Direct Line for Web Chat, and
 * Bot Framework at /api/messages – on PORT (3978). Configuration comes from the environment (README).
 */
import { runTelegram } from '../channels/telegram/run.js';
import { LOCALES } from '../core/locale.js';
import { Assistant } from '../dialogue/assistant.js';
import { MemorySessionStore } from '../dialogue/session.js';
import { loadKnowledgeOrThrow, quizQuestionText } from '../knowledge/load.js';
import { MODEL_FILE, loadNlu, type LoadedNlu } from '../nlu/model-file.js';
import { Analytics, type AnalyticsOptions } from '../storage/analytics.js';
import { checkWritable, databaseFile, openDatabase } from '../storage/db.js';
import type { StorageLog } from '../storage/faults.js';
import { PostgresRecords } from '../storage/postgres/records.js';
import type { Records } from '../storage/records.js';
import { RedisConnection } from '../storage/redis/connection.js';
import { RedisSessionStore } from '../storage/redis/sessions.js';
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { Metrics } from './metrics.js';

let config: Config;
let assistant: Assistant;
let model: LoadedNlu;
let analytics: Records;
let redis: RedisConnection | undefined;
const metrics = new Metrics();
// Storage problems go to the server's log, which exists once the app is built (nothing is stored before that).
let log: StorageLog | undefined;
try {
  config = loadConfig();
  const kb = loadKnowledgeOrThrow();
  const recordsOptions = {
    pseudonymKey: config.PSEUDONYM_KEY,
    log: { error: (details, message) => log?.error(details, message), info: (details, message) => log?.info(details, message) } satisfies StorageLog,
    onError: (operation, problem) => metrics.storageErrors.inc({ operation, reason: problem.reason }),
    quizQuestion: quizQuestionText(kb),
  } satisfies AnalyticsOptions;
  // Several instances keep the records in PostgreSQL (migrated here, one instance at a time); one, in SQLite.
  if (config.DATABASE_URL) analytics = await PostgresRecords.open(config.DATABASE_URL, config.RETENTION_DAYS, recordsOptions);
  else {
    const db = openDatabase(databaseFile(config.DATA_DIR));
    checkWritable(db);
    analytics = new Analytics(db, config.RETENTION_DAYS, recordsOptions);
  }
  model = loadNlu(kb);
  // Several instances share conversations (and limits) in Redis; one keeps them in memory.
  const ttlMs = config.CONVERSATION_TTL_SECONDS * 1000;
  if (config.REDIS_URL)
    redis = await RedisConnection.connect(config.REDIS_URL, { error: (details, message) => log?.error(details, message), info: (details, message) => log?.info(details, message) });
  assistant = new Assistant(kb, {
    nlu: model.nlu,
    sessions: redis ? new RedisSessionStore(redis, { ttlMs }) : new MemorySessionStore({ ttlMs, max: 50_000 }),
    observers: [analytics, metrics],
  });
} catch (error) {
  // Bad configuration, content or storage: their errors say what to fix (no stack trace); do not start.
  console.error((error as Error).message);
  process.exit(1);
}

const app = await buildApp({ config, assistant, analytics, metrics, ...(redis ? { redis } : {}) });
log = app.log;
if (model.from === 'trained')
  app.log.info(
    { saved: model.saved, ...(model.error ? { error: model.error } : {}) },
    model.saved ? `engine trained and saved to ${MODEL_FILE}: later starts load it` : 'engine trained; it could not be saved, so every start trains (run `npm run build` to train ahead)',
  );
if (!config.PSEUDONYM_KEY)
  app.log.warn(
    'PSEUDONYM_KEY is not set: stored conversations are named with a random key of this run, so one that goes on after a restart counts twice and instances do not agree; set it (32 random characters or more, the same on every instance, kept out of DATA_DIR)',
  );
// Retention: old questions, turns and ratings go at start and every hour. Storage failing is logged and counted
// by analytics; the guard is for anything else, since a throw from a timer would end the process.
const purge = async () => {
  try {
    const deleted = await analytics.purge();
    if (deleted !== undefined) app.log.info({ deleted, retentionDays: config.RETENTION_DAYS }, 'retention applied');
  } catch (error) {
    app.log.error({ err: { message: (error as Error).message } }, 'retention could not be applied; it is tried again in an hour');
  }
};
void purge();
setInterval(() => void purge(), 3_600_000).unref();
let stopTelegram = () => {};
let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting, finish what is in flight, close streams; give up after 10 seconds.
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    stopTelegram();
    app.close().then(
      async () => {
        await analytics.close();
        await redis?.close();
        clearTimeout(timer);
        process.exit(0);
      },
      () => process.exit(1),
    );
  });
}
try {
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info({ address, languages: LOCALES }, `assistant ready: open ${address.replace('0.0.0.0', 'localhost')}`);
  if (app.telegram) {
    // In the background: Telegram being unreachable never keeps the web service from running.
    const webhook = config.TELEGRAM_WEBHOOK_URL ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.telegramSecret } : undefined;
    stopTelegram = runTelegram(app.telegram, { kb: assistant.kb, log: app.log, webhook, redis }).stop;
  }
} catch (error) {
  app.log.fatal({ err: { message: (error as Error).message } }, `cannot listen on ${config.HOST}:${config.PORT}`);
  process.exit(1);
}
