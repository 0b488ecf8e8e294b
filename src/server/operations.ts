import fp from 'fastify-plugin';
import { apiError } from '../core/api-error.js';
import { bearerToken, secretMatches } from '../core/secrets.js';
import type { Assistant } from '../dialogue/assistant.js';
import type { Records } from '../storage/records.js';
import type { RedisConnection } from '../storage/redis/connection.js';
import type { Metrics } from './metrics.js';

export interface OperationsOptions {
  assistant: Assistant;
  /** The records (SQLite or PostgreSQL), whose database /readyz checks; absent, storage is not reported (null). */
  analytics?: Records | undefined;
  metrics?: Metrics | undefined;
  /** Opens /metrics to this bearer token (METRICS_TOKEN); without it there is no /metrics. */
  metricsToken?: string | undefined;
  /** Redis (REDIS_URL), which /readyz checks; absent, Redis is not reported (null). */
  redis?: Pick<RedisConnection, 'answers'> | undefined;
}

/**
 * What the platform and the monitoring system ask: /healthz (alive), /readyz (content loaded, engine trained,
 * storage writable) and /metrics (Prometheus, behind its token). On the root instance (fastify-plugin), because the
 * count of our own failures is a hook that every route registered after it must have.
 */
export const operations = fp<OperationsOptions>(
  async (app, { assistant, analytics, metrics, metricsToken, redis }) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    // Ready: content loaded and engine trained (or we would not be here), storage writable, Redis reachable.
    app.get('/readyz', async (_request, reply) => {
      // Why storage is not ready ('disk full', 'not writable'…) without paths; the log says where and what to do.
      const check = await analytics?.check();
      const storage = check ? check.ok : null;
      const up = redis ? await redis.answers() : null;
      const reason = check && !check.ok ? { reason: check.reason } : up === false ? { reason: 'Redis cannot be reached: questions are answered without conversation memory' } : {};
      const status = storage === false ? 'storage not writable' : up === false ? 'redis unavailable' : 'ready';
      return reply.code(status === 'ready' ? 200 : 503).send({ status, intents: assistant.nlu.intents.length, storage, database: storage, redis: up, ...reason });
    });
    if (!metrics) return;
    // For the monitoring system only: it shows traffic, languages and memory, which are not for everyone.
    if (metricsToken) {
      const token = metricsToken;
      app.get('/metrics', async (request, reply) => {
        if (!secretMatches(bearerToken(request.headers.authorization), token)) return reply.code(401).send(apiError(401, 'A valid metrics token is needed.'));
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      });
    }
    // Failures of ours, not refusals of bad requests.
    app.addHook('onError', async (_request, reply) => void (reply.statusCode >= 500 && metrics.errors.inc({ where: 'http' })));
  },
  { name: 'operations' },
);
