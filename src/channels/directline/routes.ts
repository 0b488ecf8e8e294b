import type { Activity } from 'botbuilder';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { apiError } from '../../core/api-error.js';
import { bearerToken, secretMatches } from '../../core/secrets.js';
import type { Assistant } from '../../dialogue/assistant.js';
import type { RedisConnection } from '../../storage/redis/connection.js';
import { rateLimiter } from '../../storage/redis/limits.js';
import { POLICY } from '../../dialogue/policy.js';
import { BOT_ACCOUNT, toActivities } from '../botframework/render.js';
import { activityToTurn } from '../botframework/turn.js';
import type { ConversationHandle, DirectLineConversations } from './conversations.js';
import type { Listener } from './store.js';
import type { TokenIssuer } from './tokens.js';

export interface DirectLineOptions {
  assistant: Assistant;
  /** In memory, or in Redis shared by every instance (REDIS_URL). */
  store: DirectLineConversations;
  tokens: TokenIssuer;
  /** Lets a trusted back end use the Direct Line API with the secret instead of a token. */
  secret?: string | undefined;
  /** Public base URL (https://chat.example.org) for stream URLs; taken from the request when unset. */
  publicUrl?: string | undefined;
  /** Streams one conversation may have open at once. */
  maxStreams?: number;
  /** Activities (messages, events) a conversation may send per minute; past it they are refused with 429. */
  messagesPerMinute?: number;
  /** Conversations one address may start per minute. */
  conversationsPerMinute?: number;
  /** Counts what a limit refused (a prom-client Counter with a `reason` label fits); nothing else counts it. */
  rejected?: { inc(labels: { reason: Rejection }): void };
  /** Characters of a message's text kept for its echo: what the engine reads (longer ones are answered "too long"). */
  maxChars?: number;
  /** Counts the messages of a conversation across instances (REDIS_URL). */
  redis?: RedisConnection | undefined;
}

/** Why a request was refused, as the rejection metric labels it. */
export type Rejection = 'messages_per_conversation' | 'conversations_per_address';

/** What clients may send: the activity fields the assistant uses; anything else is dropped. */
const PostedActivity = z.object({
  type: z.enum(['message', 'event', 'typing']),
  text: z.string().max(100_000).optional(),
  name: z.string().max(100).optional(),
  value: z.unknown().optional(),
  locale: z.string().max(35).optional(),
  textFormat: z.string().max(20).optional(),
  from: z.object({ id: z.string().max(200).optional(), name: z.string().max(200).optional() }).optional(),
  // Only what Web Chat needs echoed back (to mark a message sent); the rest of its channelData is not kept.
  channelData: z.object({ clientActivityID: z.string().max(100).optional(), clientTimestamp: z.string().max(100).optional() }).optional(),
});

const PING_MS = 25_000;
/** A value (a button's payload, an event's language) is kept in the echo up to this size; the engine reads a few bytes of it. */
const VALUE_KEPT_CHARS = 500;

type Grant = { kind: 'secret' } | { kind: 'token'; conversationId: string };

/**
 * A Direct Line 3.0 endpoint in our own server, so that Microsoft's Web Chat and the directlinejs client talk to
 * the assistant with no Azure subscription and no data leaving the server: conversations, activities with
 * watermarks, WebSocket streams, token generation and refresh.
 */
export async function directLineRoutes(app: FastifyInstance, o: DirectLineOptions): Promise<void> {
  const maxStreams = o.maxStreams ?? 5;
  const maxChars = o.maxChars ?? POLICY.maxChars;
  const messagesPerMinute = o.messagesPerMinute ?? 30;
  const perConversation = rateLimiter({ points: messagesPerMinute, duration: 60, keyPrefix: 'conversation' }, o.redis);
  const perAddress = {
    config: {
      rateLimit: { max: o.conversationsPerMinute ?? 20, timeWindow: '1 minute', onExceeded: () => o.rejected?.inc({ reason: 'conversations_per_address' }) },
    },
  };

  const grantOf = async (token: string | undefined): Promise<Grant | undefined> => {
    if (!token) return undefined;
    if (o.secret && secretMatches(token, o.secret)) return { kind: 'secret' };
    const conversationId = await o.tokens.conversationOf(token);
    return conversationId ? { kind: 'token', conversationId } : undefined;
  };
  /** The refusal when the conversation has sent its share for this minute, or undefined when within it. */
  const overLimit = async (conversationId: string): Promise<RateLimiterRes | undefined> => {
    try {
      await perConversation.consume(conversationId);
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return error;
      throw error;
    }
  };
  /** 429 for a conversation past its share, logged once per minute and conversation, counted every time. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, refused: RateLimiterRes, counted = true) => {
    o.rejected?.inc({ reason: 'messages_per_conversation' });
    // The first refusal is consumed (and counted by the limiter); the ones refused before reading are not.
    if (counted && refused.consumedPoints === messagesPerMinute + 1)
      request.log.warn({ reason: 'messages_per_conversation', limit: messagesPerMinute }, 'messages refused: a conversation is over its limit for this minute');
    const seconds = Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
    // As a date, not seconds: botframework-directlinejs (in Web Chat too) waits out a number of seconds with a
    // function it never loads, and then reports "retry" only when Web Chat's send timeout ends (20 s); with a date
    // it fails the send at once, and the person sees "Send failed. Retry." straight away.
    return reply.code(429).header('retry-after', new Date(Date.now() + seconds * 1000).toUTCString()).send(apiError(429, `At most ${messagesPerMinute} messages a minute: try again in ${seconds} s.`));
  };
  /**
   * Before the body is read: a conversation already refused this minute is refused again without parsing what it
   * sent (up to the body limit each time), so that flooding costs the server next to nothing.
   */
  const alreadyOverLimit = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (grant?.kind !== 'token' || grant.conversationId !== request.params.id) return; // the handler says why
    const spent = await perConversation.get(grant.conversationId);
    if (spent && spent.consumedPoints > messagesPerMinute) return refuse(request, reply, spent, false);
  };
  const deny = (reply: FastifyReply, status: 401 | 403 | 404, message: string) =>
    reply.code(status).send({ error: { code: status === 404 ? 'BadArgument' : 'TokenOrSecretInvalid', message } });

  /** The conversation a request may act on, or a reply already sent. */
  const conversationFor = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (!grant) return void deny(reply, 403, 'Missing, invalid or expired token.');
    if (grant.kind === 'token' && grant.conversationId !== request.params.id)
      return void deny(reply, 403, 'This token is for another conversation.');
    const conversation = await o.store.get(request.params.id, request.ip);
    if (!conversation) return void deny(reply, 404, 'No such conversation (it may have expired).');
    return conversation;
  };

  const streamUrl = (request: FastifyRequest, conversationId: string, token: string) => {
    const base = o.publicUrl ?? `${request.protocol}://${request.host}`;
    return `${base.replace(/^http/, 'ws')}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}`;
  };
  const describe = async (request: FastifyRequest, conversation: ConversationHandle, withStream: boolean) => {
    const token = await o.tokens.issue(conversation.id);
    return {
      conversationId: conversation.id,
      token,
      expires_in: o.tokens.ttlSeconds,
      ...(withStream ? { streamUrl: streamUrl(request, conversation.id, token) } : {}),
    };
  };

  // The chat page's own way in: a new conversation and its token, without the Direct Line secret.
  app.post('/api/webchat/token', perAddress, async (request) => describe(request, await o.store.create(request.ip), false));

  app.post('/v3/directline/tokens/generate', perAddress, async (request, reply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (grant?.kind !== 'secret') return deny(reply, 403, 'Generating a token needs the Direct Line secret.');
    return describe(request, await o.store.create(request.ip), false);
  });

  app.post('/v3/directline/tokens/refresh', async (request, reply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (grant?.kind !== 'token') return deny(reply, 403, 'Refreshing needs a valid token.');
    const conversation = await o.store.getOrCreate(grant.conversationId, request.ip);
    return describe(request, conversation, false);
  });

  app.post('/v3/directline/conversations', perAddress, async (request, reply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (!grant) return deny(reply, 403, 'Missing, invalid or expired token.');
    const conversation = grant.kind === 'token' ? await o.store.getOrCreate(grant.conversationId, request.ip) : await o.store.create(request.ip);
    return reply.code(201).send(await describe(request, conversation, true));
  });

  app.get<{ Params: { id: string } }>('/v3/directline/conversations/:id', async (request, reply) => {
    const conversation = await conversationFor(request, reply);
    return conversation && describe(request, conversation, true);
  });

  app.get<{ Params: { id: string }; Querystring: { watermark?: string } }>('/v3/directline/conversations/:id/activities', async (request, reply) => {
    const conversation = await conversationFor(request, reply);
    if (!conversation) return reply;
    return reply.type('application/json').send((await o.store.since(conversation, request.query.watermark)).set);
  });

  app.post<{ Params: { id: string } }>('/v3/directline/conversations/:id/activities', { onRequest: alreadyOverLimit }, async (request, reply) => {
    const conversation = await conversationFor(request, reply);
    if (!conversation) return reply;
    const parsed = PostedActivity.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: 'BadArgument', message: 'Not an activity this bot accepts.' } });
    const activity = parsed.data;
    if (activity.type === 'typing') return { id: '' };

    // A client's retry carries the same clientActivityID: answer it once.
    const clientId = activity.channelData?.clientActivityID;
    const known = clientId ? await o.store.clientActivity(conversation, clientId) : undefined;
    if (known) return { id: known };

    // Past its limit, a conversation's activity is refused before anything is kept or answered: the client shows
    // it as not sent (Web Chat: "Send failed. Retry."), and only the refusal is counted.
    const refused = await overLimit(conversation.id);
    if (refused) return refuse(request, reply, refused);

    // Kept with its clientActivityID at once: a retry that reached another instance meanwhile is answered there only.
    const posted = await o.store.post(conversation, echoOf(activity, maxChars), clientId);
    if (posted.known) return { id: posted.id };
    const echoId = posted.id;
    const turn = activityToTurn(activity as Partial<Activity>, `dl:${conversation.id}`, 'web');
    if (turn) {
      const replies = toActivities(await o.assistant.handle(turn)).map((a) => ({ ...a, from: { ...BOT_ACCOUNT }, replyToId: echoId }));
      await o.store.append(conversation, replies);
    }
    return { id: echoId };
  });

  app.get<{ Params: { id: string }; Querystring: { t?: string; watermark?: string } }>(
    '/v3/directline/conversations/:id/stream',
    { websocket: true },
    async (socket, request) => {
      // Browsers cannot set headers on a WebSocket: the token comes in the stream URL.
      const grant = await grantOf(request.query.t || bearerToken(request.headers.authorization));
      const conversation = grant && (grant.kind === 'secret' || grant.conversationId === request.params.id) ? await o.store.get(request.params.id, request.ip) : undefined;
      if (!conversation) return socket.close(4403, 'Missing, invalid or expired token.');
      const listener: Listener = {
        send: (activitySet) => {
          if (socket.readyState === socket.OPEN) socket.send(activitySet);
        },
        close: () => socket.close(1000, 'The conversation has ended.'),
      };
      const stop = await o.store.listen(conversation, listener, request.query.watermark, maxStreams);
      if (!stop) return socket.close(4429, 'Too many streams for this conversation.');
      if (socket.readyState !== socket.OPEN) return stop();
      const ping = setInterval(() => socket.ping(), PING_MS);
      socket.on('close', () => {
        clearInterval(ping);
        stop();
      });
      // Clients do not send on the stream; anything they do send is ignored.
      socket.on('message', () => undefined);
    },
  );
}

/**
 * The person's activity as kept and echoed back (Web Chat marks a message sent when it sees it): the text cut to
 * what the engine reads, a value only when small. The engine itself gets the whole activity, and answers a longer
 * text with a request for a shorter question.
 */
function echoOf(activity: z.infer<typeof PostedActivity>, maxChars: number): Partial<Activity> {
  const { text, value, ...rest } = activity;
  const small = value !== undefined && (JSON.stringify(value)?.length ?? 0) <= VALUE_KEPT_CHARS;
  return {
    ...rest,
    ...(text !== undefined ? { text: cut(text, maxChars) } : {}),
    ...(small ? { value } : {}),
    from: { id: activity.from?.id ?? 'user', name: activity.from?.name ?? '', role: 'user' },
  } as Partial<Activity>;
}

/** The text within `max` characters, ending with '…' when cut, never inside a surrogate pair (half an emoji). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (end > 0 && text.charCodeAt(end - 1) >= 0xd800 && text.charCodeAt(end - 1) <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
