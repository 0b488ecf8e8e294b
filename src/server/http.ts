import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';

export interface HttpOptions {
  /** Origins whose pages may call the API (CORS); ALLOWED_ORIGINS. */
  allowedOrigins: readonly string[];
}

/**
 * What every route of the service shares, on the root instance (fastify-plugin: no scope of its own), so that it
 * must be registered before any channel: one log line per request, CORS for the allowed origins, WebSocket
 * upgrades, and the headers of API responses.
 */
export const http = fp<HttpOptions>(
  async (app, { allowedOrigins }) => {
    app.addHook('onResponse', async (request, reply) => {
      // Expected refusals (4xx) and successes at debug: a flood of them must not flood the log.
      const level = reply.statusCode >= 500 ? 'warn' : 'debug';
      request.log[level]({ req: request, res: reply, ms: Math.round(reply.elapsedTime) }, 'request');
    });
    await app.register(cors, {
      origin: (origin, done) => done(null, !origin || allowedOrigins.includes(origin)),
      methods: ['GET', 'POST'],
    });
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    // API responses are JSON for programs: they need no page policies, only to not be sniffed or cached.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('content-security-policy')) reply.header('x-content-type-options', 'nosniff').header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
      return payload;
    });
  },
  { name: 'http' },
);
