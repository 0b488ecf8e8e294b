import fp from 'fastify-plugin';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { secretMatches } from '../../core/secrets.js';
import type { Assistant } from '../../dialogue/assistant.js';
import type { RedisConnection } from '../../storage/redis/connection.js';
import { createTelegramBot } from './bot.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Telegram bot, when TELEGRAM_BOT_TOKEN is set. */
    telegram?: Telegraf;
  }
}

/** The settings Telegram reads, under their names in the environment (the server's config has them all). */
export interface TelegramSettings {
  TELEGRAM_BOT_TOKEN?: string | undefined;
  TELEGRAM_API_ROOT?: string | undefined;
  TELEGRAM_WEBHOOK_URL?: string | undefined;
  /** What Telegram sends with every webhook request (TELEGRAM_WEBHOOK_SECRET, or random per start). */
  telegramSecret: string;
}

/**
 * Telegram, when a token is configured: the bot is built here and decorates the server as `app.telegram`
 * (fastify-plugin, so that the decoration is the root instance's), and its webhook, when TELEGRAM_WEBHOOK_URL is
 * set, is a route of this server. main.ts connects the bot (webhook or long polling) once the server listens.
 *
 * @example
 *   await app.register(telegram, { settings: config, assistant });
 */
export const telegram = fp<{ settings: TelegramSettings; assistant: Assistant; redis?: RedisConnection | undefined }>(
  async (app, { settings, assistant, redis }) => {
    if (!settings.TELEGRAM_BOT_TOKEN) return;
    const { bot } = createTelegramBot({ token: settings.TELEGRAM_BOT_TOKEN, apiRoot: settings.TELEGRAM_API_ROOT, assistant, log: app.log, redis });
    app.decorate('telegram', bot);
    if (!settings.TELEGRAM_WEBHOOK_URL) return;
    app.post(new URL(settings.TELEGRAM_WEBHOOK_URL).pathname, async (request, reply) => {
      // Only Telegram knows the secret (set with setWebhook): anything else is refused.
      if (!secretMatches(request.headers['x-telegram-bot-api-secret-token'], settings.telegramSecret)) return reply.code(401).send({ error: 'unauthorized' });
      await bot.handleUpdate(request.body as Update);
      return reply.code(200).send({ ok: true });
    });
  },
  { name: 'telegram' },
);
