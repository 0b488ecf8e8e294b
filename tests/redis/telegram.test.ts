import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramBot, type Log } from '../../src/channels/telegram/bot.js';
import { runTelegram } from '../../src/channels/telegram/run.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { RedisConnection } from '../../src/storage/redis/connection.js';
import { RedisSessionStore } from '../../src/storage/redis/sessions.js';
import { assistant, knowledge } from '../support/engine.js';
import { TelegramApiStandIn, textUpdate, type ApiCall } from '../support/telegram-api.js';
import { RedisServer } from './redis-server.js';

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const TOKEN = '123456:TEST-token';

let redis: RedisServer;
let api: TelegramApiStandIn;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  [redis, api] = await Promise.all([RedisServer.start(), new TelegramApiStandIn().start()]);
});
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await api.close();
  await redis.stop();
});

async function connect(): Promise<RedisConnection> {
  const connection = await RedisConnection.connect(redis.url, silent);
  connections.push(connection);
  return connection;
}

/** Two instances of the Telegram channel, as main.ts builds them with REDIS_URL: each its own client, engine and bot. */
async function twoBots(): Promise<[Telegraf, Telegraf]> {
  const bot = async () => {
    const connection = await connect();
    const engine = assistant({ sessions: new RedisSessionStore(connection, { ttlMs: 60_000 }) });
    return createTelegramBot({ token: TOKEN, apiRoot: api.url, assistant: engine, log: silent, botInfo: api.bot, sendQueue: { backoffMs: 20 }, redis: connection }).bot;
  };
  return [await bot(), await bot()];
}

let nextUpdate = 100;
const update = (u: Record<string, unknown>) => ({ ...u, update_id: nextUpdate++ }) as unknown as Update;
const to = (chatId: number) => (c: ApiCall) => c.body.chat_id === chatId;
/** Time for a message still on its way (there would be one without the fix) to arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
const sentTo = (chatId: number) => api.callsOf('sendMessage').filter(to(chatId));

describe('Telegram on several instances (webhook mode, one Redis)', () => {
  it('answers once an update delivered to both instances', async () => {
    const [a, b] = await twoBots();
    const u = update(textUpdate('budget?', { chat: 6001, language: 'en' }));
    await Promise.all([a.handleUpdate(u), b.handleUpdate(u)]);
    await b.handleUpdate(u);
    await api.waitFor('sendMessage', to(6001));
    await settle();
    expect(sentTo(6001)).toHaveLength(1);
    expect(String(sentTo(6001)[0]!.body.text)).toContain('17,510,500 euros');
  });

  it('continues a quiz whose poll was sent by one instance when the answer reaches the other, once', async () => {
    const [a, b] = await twoBots();
    await a.handleUpdate(update(textUpdate('/quiz', { chat: 6002, language: 'en' })));
    const [poll] = await api.waitFor('sendPoll', to(6002));
    const pollId = (poll!.result!.poll as { id: string }).id;
    const answer = { poll_answer: { poll_id: pollId, user: { id: 6002, is_bot: false, first_name: 'T', language_code: 'en' }, option_ids: [poll!.body.correct_option_id] } };
    await b.handleUpdate(update(answer));
    const polls = await api.waitFor('sendPoll', to(6002), 2, 2_000);
    expect(polls).toHaveLength(2);
    expect(String(polls[1]!.body.question)).toMatch(/^2\/5\. /);
    expect(String(sentTo(6002)[1]!.body.text)).toContain('✅ Correct!');
    // The same answer again (another update) on the first instance: the poll was taken, nothing is asked twice.
    await a.handleUpdate(update(answer));
    await settle();
    expect(api.callsOf('sendPoll').filter(to(6002))).toHaveLength(2);
  });

  it('answers two updates of one chat reaching two instances at once in update order, each turn’s replies before the next', async () => {
    const [a, b] = await twoBots();
    // The first reply meets a 429 and waits a second: the second instance must not answer meanwhile.
    api.failNext('sendMessage', 1, { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const first = update(textUpdate('what is the budget of the mission?', { chat: 6003, language: 'en' }));
    const second = update(textUpdate('who is the head of the mission?', { chat: 6003, language: 'en' }));
    await Promise.all([a.handleUpdate(first), b.handleUpdate(second)]);
    const texts = (await api.waitFor('sendMessage', to(6003), 3, 3_000)).map((c) => String(c.body.text));
    await settle();
    expect(sentTo(6003)).toHaveLength(3); // the refused attempt, then the two answers
    expect(texts[0]).toContain('17,510,500');
    expect(texts[1]).toContain('17,510,500');
    expect(texts[2]).toContain('Jan Braathu');
  });

  it('answers first the lower update_id of two waiting together, though it reached its instance last', async () => {
    const [a, b] = await twoBots();
    // An earlier turn holds the chat for a second (its reply gets a 429 and waits), so that both updates below are
    // surely waiting together, whatever the machine's speed.
    api.failNext('sendMessage', 1, { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const held = update(textUpdate('thanks', { chat: 6005, language: 'en' }));
    const first = update(textUpdate('what is the budget of the mission?', { chat: 6005, language: 'en' }));
    const second = update(textUpdate('who is the head of the mission?', { chat: 6005, language: 'en' }));
    const holding = a.handleUpdate(held);
    await api.waitFor('sendMessage', to(6005), 1, 3_000);
    await Promise.all([holding, b.handleUpdate(second), a.handleUpdate(first)]);
    const texts = (await api.waitFor('sendMessage', to(6005), 4, 5_000)).map((c) => String(c.body.text));
    expect(texts.slice(-2)[0]).toContain('17,510,500');
    expect(texts.slice(-1)[0]).toContain('Jan Braathu');
  });

  it('registers the webhook and the command menu from one of two starting instances', async () => {
    const hook = await new TelegramApiStandIn().start();
    const said: string[] = [];
    const log: Log = { ...silent, info: (_f, message) => void said.push(message) };
    const runs = await Promise.all(
      [0, 1].map(async () => {
        const connection = await connect();
        const { bot } = createTelegramBot({ token: TOKEN, apiRoot: hook.url, assistant: assistant(), log, redis: connection });
        return runTelegram(bot, { kb: knowledge(), log, retryMs: 50, redis: connection, webhook: { url: 'https://bot.example.org/telegram/hook', secret: 'a-webhook-secret-of-enough-length' } });
      }),
    );
    try {
      await Promise.all(runs.map((r) => r.started));
      expect(hook.callsOf('setWebhook')).toHaveLength(1);
      expect(hook.callsOf('setWebhook')[0]!.body).toMatchObject({ url: 'https://bot.example.org/telegram/hook', secret_token: 'a-webhook-secret-of-enough-length' });
      expect(hook.callsOf('setMyCommands')).toHaveLength(4);
      expect(said.filter((m) => m.includes('another instance registered the webhook'))).toHaveLength(1);
    } finally {
      for (const r of runs) r.stop();
      await hook.close();
    }
  });

  it('refuses to start Telegram with REDIS_URL by long polling or with a secret random per start', () => {
    const env = { REDIS_URL: redis.url, TOKEN_SIGNING_KEY: 'token-signing-key-shared-by-all-instances-4f9Q', PSEUDONYM_KEY: 'pseudonym-key-shared-by-all-instances-7kW2xQ', TELEGRAM_BOT_TOKEN: TOKEN };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/long polling cannot run on several instances: set TELEGRAM_WEBHOOK_URL/);
    const hook = { ...env, TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/hook' };
    expect(() => loadConfig(hook)).toThrow(/TELEGRAM_WEBHOOK_SECRET: .*random per start/);
    expect(loadConfig({ ...hook, TELEGRAM_WEBHOOK_SECRET: 'a-webhook-secret-of-enough-length' }).telegramSecret).toBe('a-webhook-secret-of-enough-length');
    // One instance (no REDIS_URL) still polls, and Redis without Telegram needs neither.
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).TELEGRAM_WEBHOOK_URL).toBeUndefined();
    expect(loadConfig({ ...env, TELEGRAM_BOT_TOKEN: '' }).REDIS_URL).toBe(redis.url);
  });

  it('answers, and once, while Redis cannot be reached (this instance’s memory stands in)', async () => {
    const [a] = await twoBots();
    await redis.stop();
    const u = update(textUpdate('budget?', { chat: 6004, language: 'en' }));
    await a.handleUpdate(u);
    await a.handleUpdate(u);
    await api.waitFor('sendMessage', to(6004));
    await settle();
    expect(sentTo(6004)).toHaveLength(1);
    expect(String(sentTo(6004)[0]!.body.text)).toContain('17,510,500 euros');
  });
});
