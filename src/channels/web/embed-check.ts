import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';

export interface EmbedCheckOptions {
  /** Origins whose pages may frame the chat (ALLOWED_ORIGINS: the page's CSP frame-ancestors lists the same). */
  allowedOrigins: readonly string[];
  /** This server's public base URL (PUBLIC_URL), when set: its own pages may frame the chat too. */
  publicUrl?: string;
}

/** Refused origins remembered, so that each is logged once (an LRU: forged Origin headers cannot grow it). */
const REMEMBERED = 1000;
/** At most this many "refused origin" lines a minute, whatever a client sends. */
const LINES_PER_MINUTE = 10;
/** What an Origin header looks like (scheme, host, optional port); anything else is answered, never logged. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]{1,253}(:\d{1,5})?$/i;

/**
 * `GET /api/embed/allowed`: may the page asking frame the chat? embed.js asks before it creates its iframe, and
 * when the answer is no, its launcher opens the chat in a new tab instead (a browser shows a refused frame as a
 * broken panel and tells the page nothing). The answer is readable from any origin (that is its purpose); it says
 * no more than the page's own frame-ancestors would. A refused origin is logged once, with the setting that
 * admits it: a site embedding the chat before it was configured is found in the log, not by its visitors.
 *
 * @example
 *   await app.register(embedCheck, { allowedOrigins: config.ALLOWED_ORIGINS, publicUrl: config.PUBLIC_URL });
 *   fetch('https://chat.example.org/api/embed/allowed') // from https://www.osce.org → {"allowed": true}
 */
export async function embedCheck(app: FastifyInstance, { allowedOrigins, publicUrl }: EmbedCheckOptions): Promise<void> {
  const logged = new LRUCache<string, true>({ max: REMEMBERED });
  let budget = { minute: 0, lines: 0 };
  const own = publicUrl ? new URL(publicUrl).origin : undefined;

  const ownOrigin = (request: FastifyRequest) => own ?? `${request.protocol}://${request.host}`;

  const logOnce = (request: FastifyRequest, origin: string) => {
    const key = origin.toLowerCase();
    if (logged.has(key)) return;
    const minute = Math.floor(Date.now() / 60_000);
    if (budget.minute !== minute) budget = { minute, lines: 0 };
    if (budget.lines >= LINES_PER_MINUTE) return;
    budget.lines += 1;
    logged.set(key, true);
    const setting = `ALLOWED_ORIGINS=${[...allowedOrigins, origin].join(',')}`;
    request.log.warn(
      { origin, setting },
      `a page of ${origin} embeds the chat but its origin is not in ALLOWED_ORIGINS (its visitors get a link to the chat in a new tab instead); to show the chat on it, set ${setting}`,
    );
  };

  app.get('/api/embed/allowed', async (request, reply) => {
    const origin = request.headers.origin;
    // No Origin: not a cross-origin request (a page of this server), which frame-ancestors 'self' admits.
    let allowed = true;
    if (typeof origin === 'string' && origin !== ownOrigin(request)) {
      allowed = allowedOrigins.includes(origin);
      if (!allowed && ORIGIN.test(origin)) logOnce(request, origin);
    }
    return reply
      .header('access-control-allow-origin', '*')
      .header('vary', 'Origin')
      .header('cache-control', 'no-store')
      .send({ allowed });
  });
}
