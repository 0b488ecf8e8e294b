import { LRUCache } from 'lru-cache';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { Telegraf, type Context } from 'telegraf';
import { callbackQuery, message } from 'telegraf/filters';
import type { UserFromGetMe } from 'telegraf/types';
import { toLocale } from '../../core/locale.js';
import type { Reply, Turn } from '../../core/reply.js';
import type { Assistant } from '../../dialogue/assistant.js';
import type { RedisConnection } from '../../storage/redis/connection.js';
import { rateLimiter } from '../../storage/redis/limits.js';
import { payloadOf } from '../../dialogue/lexicon.js';
import { SendQueue, type SendQueueOptions } from './send-queue.js';
import { toTelegram } from './render.js';

/** Logging as pino and fastify do it: an object of fields, then the message. */
export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TelegramBotOptions {
  token: string;
  /** Another Bot API server: Telegram's self-hosted one, or a local stand-in in tests. */
  apiRoot?: string | undefined;
  assistant: Assistant;
  log: Log;
  /** Known bot identity (tests); otherwise asked with getMe on start. */
  botInfo?: UserFromGetMe;
  /** Messages a person may send in a window before being asked to slow down. */
  flood?: { points: number; seconds: number };
  sendQueue?: Partial<SendQueueOptions>;
  /** Counts the flood limit across instances (REDIS_URL). */
  redis?: RedisConnection | undefined;
}

/** Commands and the engine payload each stands for. */
export const COMMANDS = {
  help: payloadOf({ type: 'intent', intent: 'help' }),
  topics: payloadOf({ type: 'menu' }),
  language: payloadOf({ type: 'intent', intent: 'change_language' }),
  contact: payloadOf({ type: 'intent', intent: 'contact' }),
  offices: payloadOf({ type: 'intent', intent: 'offices' }),
  quiz: payloadOf({ type: 'quiz', op: 'start' }),
};

/**
 * The assistant as a Telegram bot (telegraf). Every kind of update becomes a turn of the engine and every reply
 * goes through a per-chat send queue; updates seen before are ignored, bursts are slowed down, and in groups the
 * bot only answers when addressed, keeping each member's conversation apart. With `redis` (several instances behind
 * one webhook) updates seen, quiz polls sent and the order of a chat's turns are shared, so any instance may take
 * any update.
 */
export function createTelegramBot(o: TelegramBotOptions): { bot: Telegraf; queue: SendQueue } {
  const bot = new Telegraf(o.token, { telegram: { ...(o.apiRoot ? { apiRoot: o.apiRoot } : {}), webhookReply: false }, handlerTimeout: 10_000 });
  if (o.botInfo) bot.botInfo = o.botInfo;
  const queue = new SendQueue({
    ...o.sendQueue,
    onDropped: (_chat, reason) => o.log.warn({ channel: 'telegram', reason }, 'message not delivered'),
  });

  // The same update delivered twice (a retried webhook, a restarted poll) is answered once: across instances with
  // Redis (SET NX), in this instance's memory without it or while Redis cannot be reached.
  const seen = new LRUCache<number, true>({ max: 20_000 });
  const firstTime = async (updateId: number): Promise<boolean> => {
    if (o.redis) {
      try {
        const first = (await o.redis.client.set(`osce:tg:update:${updateId}`, '1', 'EX', 86_400, 'NX')) === 'OK';
        // Remembered here too: a re-delivery to this instance while Redis is away is still caught.
        if (first) seen.set(updateId, true);
        return first;
      } catch (error) {
        o.redis.failed(error);
      }
    }
    if (seen.has(updateId)) return false;
    seen.set(updateId, true);
    return true;
  };
  bot.use(async (ctx, next) => {
    if (!(await firstTime(ctx.update.update_id))) return;
    // Several instances: one chat's updates one at a time, each turn's replies sent before the next turn starts.
    const chatId = ctx.chat?.id ?? ctx.pollAnswer?.user?.id;
    if (!o.redis || chatId === undefined) return next();
    const release = await chatTurn(o.redis, chatId, ctx.update.update_id);
    try {
      await next();
    } finally {
      await release();
    }
  });

  // In groups: only what is addressed to the bot.
  bot.use(async (ctx, next) => {
    if (addressed(ctx)) await next();
  });

  // A well-kept limiter: so many messages per person per window, then one polite request to slow down.
  const flood = o.flood ?? { points: 20, seconds: 60 };
  const limiter = rateLimiter({ points: flood.points, duration: flood.seconds, keyPrefix: 'telegram' }, o.redis);
  const warned = new LRUCache<number, true>({ max: 20_000, ttl: flood.seconds * 1000 });
  bot.use(async (ctx, next) => {
    const person = ctx.from?.id;
    if (person === undefined) return next();
    try {
      await limiter.consume(person);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      if (!warned.has(person)) {
        warned.set(person, true);
        await send(ctx, { text: '', payload: payloadOf({ type: 'line', key: 'slow_down' }) });
      }
      return;
    }
    await next();
  });

  // Quiz polls sent, to find the conversation when their answer (a poll_answer update, with no chat) comes back:
  // in Redis with REDIS_URL (whichever instance receives the answer), in memory without it or while Redis is away.
  const polls = new LRUCache<string, SentPoll>({ max: 50_000, ttl: 24 * 3_600_000 });
  const keepPoll = async (pollId: string, poll: SentPoll): Promise<void> => {
    if (o.redis) {
      try {
        await o.redis.client.set(`osce:tg:poll:${pollId}`, JSON.stringify(poll), 'EX', 86_400);
        return;
      } catch (error) {
        o.redis.failed(error);
      }
    }
    polls.set(pollId, poll);
  };
  const takePoll = async (pollId: string): Promise<SentPoll | undefined> => {
    const local = polls.get(pollId);
    polls.delete(pollId);
    if (local || !o.redis) return local;
    try {
      const kept = await o.redis.client.getdel(`osce:tg:poll:${pollId}`);
      return kept === null ? undefined : (JSON.parse(kept) as SentPoll);
    } catch (error) {
      o.redis.failed(error);
      return undefined;
    }
  };

  const send = async (ctx: Context, turn: Omit<Turn, 'sessionId'>) => {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    const langHint = toLocale(ctx.from?.language_code);
    const sessionId = sessionOf(ctx);
    const reply = await o.assistant.handle({ ...turn, sessionId, channel: 'telegram', ...(langHint ? { langHint } : {}) });
    const replyTo = ctx.chat?.type !== 'private' && ctx.message ? { reply_parameters: { message_id: ctx.message.message_id } } : {};
    await deliver(chatId, sessionId, reply, replyTo);
  };

  /**
   * Queues the reply's messages on the chat's send queue. Resolves when they are sent (or given up) with Redis, so
   * that the next turn of the chat, on any instance, waits for them; at once without (the queue keeps the order).
   */
  const deliver = async (chatId: number, sessionId: string, reply: Reply, replyTo: object = {}): Promise<void> => {
    const sending: Promise<void>[] = [];
    // A quiz question becomes a native quiz poll: it replaces the last message, which asks it as text.
    const messages = toTelegram(reply.quiz ? { ...reply, messages: reply.messages.slice(0, -1), quickReplies: [] } : reply);
    for (const m of messages) {
      if (!m.text) continue;
      const post = () =>
        bot.telegram.sendMessage(chatId, m.text, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...replyTo,
          ...(m.keyboard ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
        });
      sending.push(queue.push(chatId, post));
    }
    const quiz = reply.quiz;
    if (quiz) {
      const post = async () => {
        const sent = await bot.telegram.sendQuiz(chatId, quiz.question, quiz.options, {
          correct_option_id: quiz.correct,
          explanation: quiz.explanation,
          // Answers of anonymous polls are not reported to the bot.
          is_anonymous: false,
          reply_markup: { inline_keyboard: [[{ text: quiz.stop.label, callback_data: quiz.stop.payload }]] },
        });
        await keepPoll(sent.poll.id, { chatId, sessionId, answerPayload: quiz.answerPayload });
      };
      sending.push(queue.push(chatId, post));
    }
    if (o.redis) await Promise.all(sending);
  };

  bot.on('poll_answer', async (ctx) => {
    const option = ctx.pollAnswer.option_ids[0];
    if (option === undefined) return; // a vote retracted
    const poll = await takePoll(ctx.pollAnswer.poll_id);
    if (!poll) return;
    const langHint = toLocale(ctx.pollAnswer.user?.language_code);
    const reply = await o.assistant.handle({
      sessionId: poll.sessionId,
      text: '',
      channel: 'telegram',
      payload: poll.answerPayload.replace('{i}', String(option)),
      ...(langHint ? { langHint } : {}),
    });
    await deliver(poll.chatId, poll.sessionId, reply);
  });

  bot.start((ctx) => {
    // Deep links (t.me/<bot>?start=<source>) name where the person came from, e.g. a poster's QR code.
    const source = /^[\w-]{1,64}$/.test(ctx.payload) ? ctx.payload : undefined;
    return send(ctx, { text: '', payload: payloadOf({ type: 'intent', intent: 'greeting' }), opening: true, ...(source ? { source } : {}) });
  });
  for (const [command, payload] of Object.entries(COMMANDS)) bot.command(command, (ctx) => send(ctx, { text: '', payload }));

  bot.on(callbackQuery('data'), async (ctx) => {
    // Acknowledge the press at once (Telegram shows a spinner until then), then answer it.
    await ctx.answerCbQuery().catch(() => undefined);
    await send(ctx, { text: '', payload: ctx.callbackQuery.data });
  });
  bot.on(message('text'), (ctx) => send(ctx, { text: withoutMention(ctx.message.text, ctx.botInfo.username) }));
  // The fact sheet has no coordinates: a shared location gets the list of regional centres, nothing invented.
  bot.on(message('location'), (ctx) => send(ctx, { text: '', payload: payloadOf({ type: 'intent', intent: 'offices' }) }));
  bot.on('message', (ctx) => send(ctx, { text: '', payload: payloadOf({ type: 'line', key: 'no_text' }) }));

  bot.catch((error, ctx) => {
    o.log.error({ channel: 'telegram', updateType: ctx.updateType, err: { message: (error as Error).message } }, 'update failed');
  });
  return { bot, queue };
}

/** A quiz poll sent, and the conversation its answer continues. */
interface SentPoll {
  chatId: number;
  sessionId: string;
  answerPayload: string;
}

/** How long a chat's turn may hold the next ones back (an instance that died mid-turn) before they go on. */
const CHAT_TURN_MS = 15_000;

/**
 * Waits for the chat's turn across instances: the update joins the chat's queue in Redis (a sorted set by
 * update_id) and goes when it is the lowest there, so that one chat's updates are answered one at a time, lower
 * update_id first among those waiting together, each turn's replies sent before the next starts. An update waits at
 * most CHAT_TURN_MS (the instance ahead may have died); if Redis cannot be reached it goes at once.
 */
async function chatTurn(redis: RedisConnection, chatId: number, updateId: number): Promise<() => Promise<void>> {
  const key = `osce:tg:chat:${chatId}`;
  const member = String(updateId);
  const done = async () => {
    await redis.client.zrem(key, member).catch((error: unknown) => redis.failed(error));
  };
  try {
    await redis.client.multi().zadd(key, updateId, member).pexpire(key, CHAT_TURN_MS * 2).exec();
  } catch (error) {
    redis.failed(error);
    return async () => undefined;
  }
  const deadline = Date.now() + CHAT_TURN_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const [first] = await redis.client.zrange(key, 0, 0);
      if (first === undefined || first === member) return done;
    } catch (error) {
      redis.failed(error);
      return done;
    }
    if (Date.now() >= deadline) {
      // The one ahead never finished: forget it (and anything older) so that the chat goes on.
      await redis.client.zremrangebyscore(key, '-inf', `(${updateId}`).catch(() => undefined);
      return done;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 50) * (0.5 + Math.random())));
  }
}

/** One conversation per private chat; in groups one per member, so nobody sees another's follow-ups. */
function sessionOf(ctx: Context): string {
  const chat = ctx.chat;
  if (!chat) return `tg:none:${ctx.from?.id ?? 0}`;
  return chat.type === 'private' ? `tg:${chat.id}` : `tg:${chat.id}:${ctx.from?.id ?? 0}`;
}

function addressed(ctx: Context): boolean {
  const chat = ctx.chat;
  if (!chat || chat.type === 'private' || ctx.callbackQuery) return true;
  const msg = ctx.message;
  if (!msg) return false;
  if ('reply_to_message' in msg && msg.reply_to_message?.from?.id === ctx.botInfo?.id) return true;
  const text = 'text' in msg ? msg.text : '';
  if (text.startsWith('/')) return true;
  const username = ctx.botInfo?.username;
  return !!username && 'entities' in msg && !!msg.entities?.some((e) => e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === `@${username.toLowerCase()}`);
}

// The bot's @username does not change once known: its pattern is built once.
let mention: { username: string; pattern: RegExp } | undefined;

function withoutMention(text: string, username: string | undefined): string {
  if (!username) return text;
  if (mention?.username !== username) mention = { username, pattern: new RegExp(`@${username}\\b`, 'gi') };
  return text.replace(mention.pattern, ' ').trim();
}
