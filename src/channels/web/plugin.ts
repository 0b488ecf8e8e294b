import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import compress from '@fastify/compress';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { PROJECT_ROOT } from '../../knowledge/load.js';

/** The settings the pages read, under their names in the environment (the server's config has them all). */
export interface WebPageSettings {
  /** Public base URL, when set: its WebSocket origin may be connected to (Direct Line streams). */
  PUBLIC_URL?: string | undefined;
  /** Origins whose pages may frame the chat (frame-ancestors). */
  ALLOWED_ORIGINS: readonly string[];
}

const PUBLIC = join(PROJECT_ROOT, 'src/channels/web/public');
/**
 * The light build of Microsoft's Web Chat the chat page loads, made by scripts/build-webchat.mjs (npm run build,
 * and before npm start and npm test) into dist/webchat: webchat.<content hash>.js with its .br and .gz beside it,
 * and manifest.json naming it. Its name changes with its content, so browsers may keep it for a year.
 */
const WEB_CHAT = join(PROJECT_ROOT, 'dist/webchat');
const WEB_CHAT_FILE = /^\/webchat\.[0-9a-f]{12}\.js$/;
/** The page's reference to Web Chat (src/channels/web/public/index.html), replaced by the current build's name. */
const WEB_CHAT_PLACEHOLDER = 'src="/webchat/webchat.js"';

/** The chat page with the current Web Chat build's file name in it, and its ETag; the bundle's name when built. */
async function chatPage(): Promise<{ html: string; etag: string; webChat: string | undefined }> {
  const html = await readFile(join(PUBLIC, 'index.html'), 'utf8');
  const webChat = await readFile(join(WEB_CHAT, 'manifest.json'), 'utf8').then(
    (text) => {
      const file = (JSON.parse(text) as { file?: unknown }).file;
      return typeof file === 'string' && WEB_CHAT_FILE.test(`/${file}`) ? file : undefined;
    },
    () => undefined,
  );
  const page = webChat ? html.replace(WEB_CHAT_PLACEHOLDER, `src="/webchat/${webChat}"`) : html;
  // Weak: the same page is sent compressed or not (@fastify/compress).
  return { html: page, etag: `W/"${createHash('sha256').update(page).digest('base64url').slice(0, 22)}"`, webChat };
}

/**
 * The chat page at /, its assets under /static/, Web Chat itself under /webchat/ (served from our server: no
 * third-party CDN) and the embed snippet at /embed.js, in their own scope with the page security headers (CSP,
 * helmet) and compression, which the API routes need neither of.
 *
 * @example
 *   await app.register(webPages, { settings: config });
 */
export const webPages: FastifyPluginAsync<{ settings: WebPageSettings }> = async (pages, { settings }) => {
  await pages.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Web Chat styles itself at run time (emotion), which needs inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", ...(settings.PUBLIC_URL ? [settings.PUBLIC_URL.replace(/^http/, 'ws')] : [])],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...settings.ALLOWED_ORIGINS],
        upgradeInsecureRequests: null,
      },
    },
    // The page may be framed by the allowed origins (frame-ancestors above), so no X-Frame-Options.
    frameguard: false,
    crossOriginEmbedderPolicy: false,
  });
  await pages.register(compress, { threshold: 1024 });
  await pages.register(fastifyStatic, { root: PUBLIC, prefix: '/static/', index: false, maxAge: '1h' });
  // Web Chat: brotli or gzip as built, kept by browsers for a year (its name is its hash).
  await pages.register(async (webChat) => {
    // fastify-static picks the .br or .gz file by Accept-Encoding without saying so: caches must know (Vary).
    webChat.addHook('onSend', async (_request, reply) => {
      const vary = String(reply.getHeader('vary') ?? '');
      if (!/accept-encoding/i.test(vary)) reply.header('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
    });
    await webChat.register(fastifyStatic, {
      root: WEB_CHAT,
      prefix: '/webchat/',
      decorateReply: false,
      allowedPath: (path) => WEB_CHAT_FILE.test(path) || path === '/LICENSES.txt',
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
    });
  });
  if (!(await chatPage()).webChat) pages.log.error('the Web Chat bundle is not built (dist/webchat): run npm run build:webchat; the chat page cannot chat');
  // The page itself is checked every time (no-cache, ETag), so that it always names the current Web Chat build.
  pages.get('/', async (request, reply) => {
    const { html, etag } = await chatPage();
    reply.header('cache-control', 'no-cache').header('etag', etag);
    if (String(request.headers['if-none-match'] ?? '').split(/\s*,\s*/).includes(etag)) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(html);
  });
  pages.get('/embed.js', async (_request, reply) =>
    // Loaded by other sites' pages: it must be allowed cross-origin, unlike the rest.
    reply.header('cross-origin-resource-policy', 'cross-origin').header('cache-control', 'public, max-age=3600').sendFile('embed.js'),
  );
};
