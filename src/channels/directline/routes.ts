import type { Activity } from 'botbuilder';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { bearerToken, secretMatches } from '../../core/secrets.js';
import type { Assistant } from '../../dialogue/assistant.js';
import { BOT_ACCOUNT, toActivities } from '../botframework/render.js';
import { activityToTurn } from '../botframework/turn.js';
import type { Conversation, ConversationStore, Listener } from './store.js';
import type { TokenIssuer } from './tokens.js';

export interface DirectLineOptions {
  assistant: Assistant;
  store: ConversationStore;
  tokens: TokenIssuer;
  /** Lets a trusted back end use the Direct Line API with the secret instead of a token. */
  secret?: string | undefined;
  /** Public base URL (https://chat.example.org) for stream URLs; taken from the request when unset. */
  publicUrl?: string | undefined;
  /** Streams one conversation may have open at once. */
  maxStreams?: number;
  /** Messages a conversation may send per minute; past it the bot asks to slow down instead of answering. */
  messagesPerMinute?: number;
  /** Conversations one address may start per minute. */
  conversationsPerMinute?: number;
}

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

const CLIENT_IDS_KEPT = 200;
const PING_MS = 25_000;

type Grant = { kind: 'secret' } | { kind: 'token'; conversationId: string };

/**
 * A Direct Line 3.0 endpoint in our own server, so that Microsoft's Web Chat and the directlinejs client talk to
 * the assistant with no Azure subscription and no data leaving the server: conversations, activities with
 * watermarks, WebSocket streams, token generation and refresh.
 */
export async function directLineRoutes(app: FastifyInstance, o: DirectLineOptions): Promise<void> {
  const maxStreams = o.maxStreams ?? 5;
  const perConversation = new RateLimiterMemory({ points: o.messagesPerMinute ?? 30, duration: 60 });
  const perAddress = { config: { rateLimit: { max: o.conversationsPerMinute ?? 20, timeWindow: '1 minute' } } };

  const grantOf = async (token: string | undefined): Promise<Grant | undefined> => {
    if (!token) return undefined;
    if (o.secret && secretMatches(token, o.secret)) return { kind: 'secret' };
    const conversationId = await o.tokens.conversationOf(token);
    return conversationId ? { kind: 'token', conversationId } : undefined;
  };
  const deny = (reply: FastifyReply, status: 401 | 403 | 404, message: string) =>
    reply.code(status).send({ error: { code: status === 404 ? 'BadArgument' : 'TokenOrSecretInvalid', message } });

  /** The conversation a request may act on, or a reply already sent. */
  const conversationFor = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (!grant) return void deny(reply, 403, 'Missing, invalid or expired token.');
    if (grant.kind === 'token' && grant.conversationId !== request.params.id)
      return void deny(reply, 403, 'This token is for another conversation.');
    const conversation = o.store.get(request.params.id);
    if (!conversation) return void deny(reply, 404, 'No such conversation (it may have expired).');
    return conversation;
  };

  const streamUrl = (request: FastifyRequest, conversationId: string, token: string) => {
    const base = o.publicUrl ?? `${request.protocol}://${request.host}`;
    return `${base.replace(/^http/, 'ws')}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}`;
  };
  const describe = async (request: FastifyRequest, conversation: Conversation, withStream: boolean) => {
    const token = await o.tokens.issue(conversation.id);
    return {
      conversationId: conversation.id,
      token,
      expires_in: o.tokens.ttlSeconds,
      ...(withStream ? { streamUrl: streamUrl(request, conversation.id, token) } : {}),
    };
  };

  // The chat page's own way in: a new conversation and its token, without the Direct Line secret.
  app.post('/api/webchat/token', perAddress, async (request) => describe(request, o.store.create(), false));

  app.post('/v3/directline/tokens/generate', perAddress, async (request, reply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (grant?.kind !== 'secret') return deny(reply, 403, 'Generating a token needs the Direct Line secret.');
    return describe(request, o.store.create(), false);
  });

  app.post('/v3/directline/tokens/refresh', async (request, reply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (grant?.kind !== 'token') return deny(reply, 403, 'Refreshing needs a valid token.');
    const conversation = o.store.getOrCreate(grant.conversationId);
    return describe(request, conversation, false);
  });

  app.post('/v3/directline/conversations', perAddress, async (request, reply) => {
    const grant = await grantOf(bearerToken(request.headers.authorization));
    if (!grant) return deny(reply, 403, 'Missing, invalid or expired token.');
    const conversation = grant.kind === 'token' ? o.store.getOrCreate(grant.conversationId) : o.store.create();
    return reply.code(201).send(await describe(request, conversation, true));
  });

  app.get<{ Params: { id: string } }>('/v3/directline/conversations/:id', async (request, reply) => {
    const conversation = await conversationFor(request, reply);
    return conversation && describe(request, conversation, true);
  });

  app.get<{ Params: { id: string }; Querystring: { watermark?: string } }>('/v3/directline/conversations/:id/activities', async (request, reply) => {
    const conversation = await conversationFor(request, reply);
    if (!conversation) return reply;
    return reply.type('application/json').send(o.store.since(conversation, request.query.watermark).set);
  });

  app.post<{ Params: { id: string } }>('/v3/directline/conversations/:id/activities', async (request, reply) => {
    const conversation = await conversationFor(request, reply);
    if (!conversation) return reply;
    const parsed = PostedActivity.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: 'BadArgument', message: 'Not an activity this bot accepts.' } });
    const activity = parsed.data;
    if (activity.type === 'typing') return { id: '' };

    // A client's retry carries the same clientActivityID: answer it once.
    const clientId = activity.channelData?.clientActivityID;
    const known = clientId ? conversation.clientIds.get(clientId) : undefined;
    if (known) return { id: known };

    const [echoId] = o.store.append(conversation, [
      { ...activity, timestamp: undefined, from: { id: activity.from?.id ?? 'user', name: activity.from?.name ?? '', role: 'user' } } as Partial<Activity>,
    ]);
    if (clientId) {
      conversation.clientIds.set(clientId, echoId!);
      if (conversation.clientIds.size > CLIENT_IDS_KEPT) conversation.clientIds.delete(conversation.clientIds.keys().next().value!);
    }
    let turn = activityToTurn(activity as Partial<Activity>, `dl:${conversation.id}`, 'web');
    if (turn && activity.type === 'message') {
      try {
        await perConversation.consume(conversation.id);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        // Too many messages: a polite request to slow down instead of an answer (the message is still echoed).
        turn = { ...turn, text: '', payload: 'x:slow_down' };
      }
    }
    if (turn) {
      const replies = toActivities(o.assistant.respond(turn)).map((a) => ({ ...a, from: { ...BOT_ACCOUNT }, replyToId: echoId! }));
      o.store.append(conversation, replies);
    }
    return { id: echoId };
  });

  app.get<{ Params: { id: string }; Querystring: { t?: string; watermark?: string } }>(
    '/v3/directline/conversations/:id/stream',
    { websocket: true },
    async (socket, request) => {
      // Browsers cannot set headers on a WebSocket: the token comes in the stream URL.
      const grant = await grantOf(request.query.t || bearerToken(request.headers.authorization));
      const conversation = grant && (grant.kind === 'secret' || grant.conversationId === request.params.id) ? o.store.get(request.params.id) : undefined;
      if (!conversation) return socket.close(4403, 'Missing, invalid or expired token.');
      if (conversation.listeners.size >= maxStreams) return socket.close(4429, 'Too many streams for this conversation.');
      const listener: Listener = {
        send: (activitySet) => {
          if (socket.readyState === socket.OPEN) socket.send(activitySet);
        },
        close: () => socket.close(1000, 'The conversation has ended.'),
      };
      const backlog = o.store.since(conversation, request.query.watermark);
      if (backlog.count) listener.send(backlog.set);
      conversation.listeners.add(listener);
      const ping = setInterval(() => socket.ping(), PING_MS);
      socket.on('close', () => {
        clearInterval(ping);
        conversation.listeners.delete(listener);
      });
      // Clients do not send on the stream; anything they do send is ignored.
      socket.on('message', () => undefined);
    },
  );
}
