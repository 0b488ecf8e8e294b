import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import type { Assistant } from '../../dialogue/assistant.js';
import type { RedisConnection } from '../../storage/redis/connection.js';
import { directLineRoutes, type DirectLineOptions } from './routes.js';
import { MemoryConversations } from './conversations.js';
import { RedisConversations } from './redis-conversations.js';
import { ConversationStore, type StoreOptions } from './store.js';
import { TokenIssuer } from './tokens.js';

/** The settings Direct Line reads, under their names in the environment (the server's config has them all). */
export interface DirectLineSettings {
  CONVERSATION_TTL_SECONDS: number;
  DIRECTLINE_MEMORY_MB: number;
  DIRECTLINE_TOKEN_TTL_SECONDS: number;
  DIRECTLINE_SECRET?: string | undefined;
  PUBLIC_URL?: string | undefined;
  MESSAGES_PER_MINUTE: number;
  CONVERSATIONS_PER_MINUTE: number;
  /** Signs the tokens (TOKEN_SIGNING_KEY, or random per start). */
  tokenKey: Uint8Array;
}

export interface DirectLinePluginOptions {
  settings: DirectLineSettings;
  assistant: Assistant;
  rejected?: DirectLineOptions['rejected'];
  /** Keeps the conversations and counts the limits across instances (REDIS_URL). */
  redis?: RedisConnection | undefined;
}

/**
 * Direct Line in its own scope: its conversation store and token issuer, its routes and WebSocket streams, and its
 * limits (conversations per address with @fastify/rate-limit, messages per conversation). The token the public page
 * starts its conversation with (/api/webchat/token) is one of its routes.
 *
 * @example
 *   await app.register(directLine, { settings: config, assistant, rejected: metrics?.rejected });
 */
export const directLine: FastifyPluginAsync<DirectLinePluginOptions> = async (app, { settings, assistant, rejected, redis }) => {
  // Only for the routes that ask for it (the conversations an address starts): nothing else is limited by address.
  // With Redis, counted across instances; while Redis cannot be reached, not counted (the per-conversation limit
  // still holds, in memory).
  await app.register(rateLimit, { global: false, ...(redis ? { redis: redis.client, nameSpace: 'osce:limit:address:', skipOnError: true } : {}) });
  const memory: StoreOptions = {
    ttlMs: settings.CONVERSATION_TTL_SECONDS * 1000,
    max: 50_000,
    history: 8,
    maxBytes: settings.DIRECTLINE_MEMORY_MB * 2 ** 20,
    // What an address can start in ADDRESS_MINUTES (10) at its full rate: 200 conversations by default.
    maxPerAddress: settings.CONVERSATIONS_PER_MINUTE * ConversationStore.ADDRESS_MINUTES,
  };
  // With Redis, in Redis (and in memory, bounded the same, only while Redis cannot be reached).
  const shared = redis && new RedisConversations(redis, { ttlMs: memory.ttlMs, history: memory.history, fallback: memory });
  await shared?.start();
  const store = shared ?? new MemoryConversations(new ConversationStore(memory));
  app.addHook('onClose', () => store.close());
  const tokens = new TokenIssuer(settings.tokenKey, settings.DIRECTLINE_TOKEN_TTL_SECONDS);
  await directLineRoutes(app, {
    assistant,
    store,
    tokens,
    secret: settings.DIRECTLINE_SECRET,
    publicUrl: settings.PUBLIC_URL,
    messagesPerMinute: settings.MESSAGES_PER_MINUTE,
    conversationsPerMinute: settings.CONVERSATIONS_PER_MINUTE,
    rejected,
    redis,
  });
};
