import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROJECT_ROOT } from '../knowledge/load.js';
import { periodRange, type Analytics } from '../storage/analytics.js';
import { bearerToken, secretMatches } from '../core/secrets.js';

const PAGE = join(PROJECT_ROOT, 'src/server/admin');
const CHART = join(dirname(createRequire(import.meta.url).resolve('chart.js')), '..', 'dist');

const Period = z.object({
  days: z.coerce.number().int().min(1).max(3650).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});

/**
 * The staff page: what people asked that the assistant could not answer, fallback rates, topics, ratings and
 * sources for a period, as tables and charts. The page itself is public but empty; its data needs the token.
 */
export async function adminRoutes(app: FastifyInstance, o: { token: string; analytics: Analytics }): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(helmet, {
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], frameAncestors: ["'none'"], upgradeInsecureRequests: null },
      },
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });
    await scope.register(fastifyStatic, { root: PAGE, prefix: '/admin/', index: 'index.html', decorateReply: false });
    await scope.register(fastifyStatic, { root: CHART, prefix: '/admin/vendor/', decorateReply: false, allowedPath: (p) => p === '/chart.umd.js' });
    scope.get('/admin', async (_request, reply) => reply.redirect('/admin/'));

    scope.get('/admin/api/report', async (request, reply) => {
      if (!secretMatches(bearerToken(request.headers.authorization), o.token)) return reply.code(401).send({ error: 'A valid staff token is needed.' });
      const parsed = Period.safeParse(request.query);
      if (!parsed.success) return reply.code(400).send({ error: 'Give days=N, or from=YYYY-MM-DD and to=YYYY-MM-DD.' });
      return o.analytics.report(...periodRange(parsed.data));
    });
  });
}
