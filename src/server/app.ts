import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { botFramework } from '../channels/botframework/routes.js';
import { directLine } from '../channels/directline/plugin.js';
import { telegram } from '../channels/telegram/plugin.js';
import { embedCheck } from '../channels/web/embed-check.js';
import { webPages } from '../channels/web/plugin.js';
import { apiError, clientMessage } from '../core/api-error.js';
import type { Assistant } from '../dialogue/assistant.js';
import type { Records } from '../storage/records.js';
import type { RedisConnection } from '../storage/redis/connection.js';
import { staffPage } from './admin.js';
import type { Config } from './config.js';
import { http } from './http.js';
import type { Metrics } from './metrics.js';
import { loggerOptions } from './logging.js';
import { operations } from './operations.js';

export interface AppParts {
  config: Config;
  assistant: Assistant;
  /** Stored analytics (for /readyz and the staff page); absent in tests that do not need them. */
  analytics?: Records;
  metrics?: Metrics;
  /** Redis (REDIS_URL): the rate limits are counted there, across instances, and /readyz reports it. */
  redis?: RedisConnection;
  /** Where logs go (standard output when absent); tests read them. */
  logStream?: { write(line: string): void };
}

/**
 * The whole HTTP service, built but not listening (tests use `inject` or listen on a free port): one plugin per
 * channel or concern, each owning its routes, settings and state. Bot Framework at /api/messages, Direct Line at
 * /v3/directline, the chat page at /, the embed snippet at /embed.js, the staff page at /admin, health at /healthz
 * and /readyz, Prometheus at /metrics, Telegram's webhook.
 */
export async function buildApp({ config, assistant, analytics, metrics, redis, logStream }: AppParts): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.LOG_LEVEL, logStream),
    bodyLimit: 256 * 1024,
    // A hop count as proxy-addr takes it (fastify's types only know strings and functions).
    trustProxy: typeof config.TRUST_PROXY === 'number' ? trustHops(config.TRUST_PROXY) : config.TRUST_PROXY,
    forceCloseConnections: true,
    // One line per request, written when it ends (src/server/http.ts), instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Before any route: routes take the error handler in place when they are declared.
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(apiError(404, 'Nothing here.')));

  // Shared by every route, so first: the request log line, CORS, WebSocket upgrades, API headers.
  await app.register(http, { allowedOrigins: config.ALLOWED_ORIGINS });
  await app.register(operations, { assistant, analytics, metrics, metricsToken: config.METRICS_TOKEN, redis });
  await app.register(staffPage, { token: config.ADMIN_TOKEN, analytics });
  await app.register(botFramework, { settings: config, assistant });
  await app.register(directLine, { settings: config, assistant, rejected: metrics?.rejected, redis });
  await app.register(embedCheck, { allowedOrigins: config.ALLOWED_ORIGINS, publicUrl: config.PUBLIC_URL });
  await app.register(webPages, { settings: config });
  await app.register(telegram, { settings: config, assistant, redis });
  return app;
}

/**
 * Every error, in one shape: a client's mistake says what was wrong (fastify's own messages, such as "Body is not
 * valid JSON", are written for clients); anything else says nothing of our internals, and only that is logged.
 */
function errorHandler(error: Error & { statusCode?: number; code?: string }, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: { name: error.name, code: error.code, message: error.message } }, 'request failed');
    return reply.code(status).send(apiError(status, 'Something went wrong on our side. Please try again later.'));
  }
  const own = typeof error.code === 'string' && error.code.startsWith('FST_');
  return reply.code(status).send(apiError(status, clientMessage(status) ?? (own ? error.message : 'The request could not be handled.')));
}

/** Trusts the `hops` proxies nearest to this server, and no further. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
