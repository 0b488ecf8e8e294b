import { randomBytes } from 'node:crypto';
import { TelegramError, type Telegraf } from 'telegraf';
import type { BotCommand } from 'telegraf/types';
import type { Locale } from '../../core/locale.js';
import type { KnowledgeBase } from '../../knowledge/types.js';
import type { RedisConnection } from '../../storage/redis/connection.js';
import { COMMANDS, type Log } from './bot.js';

export interface RunOptions {
  kb: KnowledgeBase;
  log: Log;
  /** Webhook mode: Telegram posts updates to this URL with the secret in a header. Long polling otherwise. */
  webhook?: { url: string; secret: string } | undefined;
  /** First wait before retrying after a failure; doubles up to a minute. */
  retryMs?: number;
  /** Several instances (REDIS_URL): only the one that takes the lock registers the webhook and the command menu. */
  redis?: RedisConnection | undefined;
}

/** Held by the instance registering the webhook, for this long (instances of one rolling restart register once). */
const WEBHOOK_LOCK = 'osce:tg:webhook';
const WEBHOOK_LOCK_SECONDS = 60;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Telegram's language codes for our locales; Serbian users see the Cyrillic menu (Telegram's Serbian is Cyrillic). */
const MENU_LANGUAGES: [Locale, string | undefined][] = [['en', undefined], ['en', 'en'], ['sq', 'sq'], ['sr-Cyrl', 'sr']];

/**
 * Connects the bot to Telegram and keeps it connected: registers the command menu in each language, then polls
 * or sets the webhook. A wrong token or an unreachable Telegram is logged with what to do, retried with backoff,
 * and never stops the rest of the service. Resolves on the first successful start (polling then runs on).
 */
export function runTelegram(bot: Telegraf, o: RunOptions): { started: Promise<void>; stop: () => void } {
  let stopped = false;
  let resolveStarted!: () => void;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));
  const loop = async () => {
    let wait = o.retryMs ?? 1000;
    while (!stopped) {
      try {
        bot.botInfo ??= await bot.telegram.getMe();
        if (o.webhook) {
          const lock = await webhookLock(o.redis);
          if (lock === 'taken') {
            o.log.info({ channel: 'telegram', mode: 'webhook', bot: bot.botInfo.username }, 'Telegram bot started: another instance registered the webhook and the command menu');
            resolveStarted();
            return;
          }
          try {
            await registerCommands(bot, o.kb);
            await bot.telegram.setWebhook(o.webhook.url, { secret_token: o.webhook.secret });
          } catch (error) {
            // Let another instance (or this one, on retry) register instead.
            if (lock) await o.redis?.client.eval(RELEASE, 1, WEBHOOK_LOCK, lock).catch(() => undefined);
            throw error;
          }
          o.log.info({ channel: 'telegram', mode: 'webhook', bot: bot.botInfo.username }, 'Telegram bot started');
          resolveStarted();
          return;
        }
        await registerCommands(bot, o.kb);
        await bot.telegram.deleteWebhook();
        o.log.info({ channel: 'telegram', mode: 'polling', bot: bot.botInfo.username }, 'Telegram bot started');
        resolveStarted();
        wait = o.retryMs ?? 1000;
        await bot.launch();
        return; // stopped on purpose
      } catch (error) {
        if (stopped) return;
        o.log.error({ channel: 'telegram', retryInMs: wait, hint: hintFor(error) }, 'Telegram bot is not connected');
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
        wait = Math.min(wait * 2, 60_000);
      }
    }
  };
  void loop();
  return {
    started,
    stop: () => {
      stopped = true;
      try {
        bot.stop('shutdown');
      } catch {
        // Not running (webhook mode, or never connected): nothing to stop.
      }
    },
  };
}

/**
 * Several instances: SET NX EX on the webhook lock. Its token when this instance holds it, 'taken' when another
 * does, undefined without Redis or when Redis cannot be reached (then this instance registers: setWebhook and
 * setMyCommands are idempotent, so registering twice is harmless, never registering is not).
 */
async function webhookLock(redis: RedisConnection | undefined): Promise<string | 'taken' | undefined> {
  if (!redis) return undefined;
  const token = randomBytes(16).toString('base64url');
  try {
    return (await redis.client.set(WEBHOOK_LOCK, token, 'EX', WEBHOOK_LOCK_SECONDS, 'NX')) === 'OK' ? token : 'taken';
  } catch (error) {
    redis.failed(error);
    return undefined;
  }
}

async function registerCommands(bot: Telegraf, kb: KnowledgeBase): Promise<void> {
  for (const [locale, language_code] of MENU_LANGUAGES) {
    const commands: BotCommand[] = Object.keys(COMMANDS).map((command) => ({
      command,
      description: kb.telegramCommands[command as keyof typeof COMMANDS][locale],
    }));
    await bot.telegram.setMyCommands(commands, language_code ? { language_code } : {});
  }
}

/** What an operator should do about a failure, in words (the token itself is never logged). */
function hintFor(error: unknown): string {
  if (error instanceof TelegramError) {
    if (error.code === 401 || error.code === 404) return `Telegram answered ${error.code}: TELEGRAM_BOT_TOKEN is wrong or revoked; get a new one from @BotFather.`;
    if (error.code === 409) return 'Another instance polls with this token, or a webhook is set: run one instance, or set TELEGRAM_WEBHOOK_URL.';
    if (error.code === 429) return 'Telegram asks to slow down; retrying.';
    return `Telegram answered ${error.code}: ${error.description}`;
  }
  const message = (error as Error).message ?? String(error);
  return `Cannot reach the Telegram Bot API (${message.replace(/bot\d+:[\w-]+/g, 'bot<token>')}): check the network or TELEGRAM_API_ROOT.`;
}

