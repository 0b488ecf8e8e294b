import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { PROJECT_ROOT } from '../knowledge/load.js';
import { periodRange } from '../storage/analytics.js';
import type { Records } from '../storage/records.js';
import { bearerToken, secretMatches } from '../core/secrets.js';

const PAGE = join(PROJECT_ROOT, 'src/server/admin');
const CHART = join(dirname(createRequire(import.meta.url).resolve('chart.js')), '..', 'dist');

const Period = z.object({
  days: z.coerce.number().int().min(1).max(3650).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});

/** Wrong tokens one address may send before it must wait: a person mistyping gets a few tries, a guesser none. */
const FAILED_SIGN_INS = { points: 10, duration: 15 * 60 };

/**
 * The staff page: what people asked that the assistant could not answer, fallback rates, topics, ratings and
 * sources for a period, as tables and charts. The page itself is public but empty; its data needs the token.
 * A fastify plugin, off without ADMIN_TOKEN: `await app.register(staffPage, { token: config.ADMIN_TOKEN, analytics })`.
 */
export async function staffPage(app: FastifyInstance, o: { token?: string | undefined; analytics?: Records | undefined }): Promise<void> {
  // Off without ADMIN_TOKEN, and without stored analytics (tests that build the service without them).
  const { token, analytics } = o;
  if (!token || !analytics) return;
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

    const failures = new RateLimiterMemory(FAILED_SIGN_INS);
    scope.get('/admin/api/report', async (request, reply) => {
      const blocked = await failures.get(request.ip);
      if (blocked && blocked.remainingPoints <= 0) {
        const wait = Math.ceil(blocked.msBeforeNext / 1000);
        return reply.code(429).header('retry-after', String(wait)).send({ error: `Too many wrong tokens from this address: try again in ${Math.ceil(wait / 60)} minutes.` });
      }
      if (!secretMatches(bearerToken(request.headers.authorization), token)) {
        const after = await failures.penalty(request.ip);
        // Logged at the first failure of a window and when the address is stopped: enough to notice, never a flood.
        if (after.consumedPoints === 1 || after.remainingPoints === 0)
          request.log.warn({ failures: after.consumedPoints, blocked: after.remainingPoints === 0 }, 'wrong staff token');
        return reply.code(401).send({ error: 'A valid staff token is needed.' });
      }
      const parsed = Period.safeParse(request.query);
      if (!parsed.success) return reply.code(400).send({ error: 'Give days=N, or from=YYYY-MM-DD and to=YYYY-MM-DD.' });
      return analytics.report(...periodRange(parsed.data));
    });
  });
}
