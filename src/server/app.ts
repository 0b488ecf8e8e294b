import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { botFrameworkRoutes } from '../channels/botframework/routes.js';
import { directLineRoutes } from '../channels/directline/routes.js';
import { ConversationStore } from '../channels/directline/store.js';
import { TokenIssuer } from '../channels/directline/tokens.js';
import { createTelegramBot } from '../channels/telegram/bot.js';
import { embedCheckRoute } from '../channels/web/embed-check.js';
import { apiError, clientMessage } from '../core/api-error.js';
import { bearerToken, secretMatches } from '../core/secrets.js';
import type { Assistant } from '../dialogue/assistant.js';
import { PROJECT_ROOT } from '../knowledge/load.js';
import type { Analytics } from '../storage/analytics.js';
import { adminRoutes } from './admin.js';
import type { Config } from './config.js';
import type { Metrics } from './metrics.js';
import { loggerOptions } from './logging.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Telegram bot, when TELEGRAM_BOT_TOKEN is set. */
    telegram?: Telegraf;
  }
}

export interface AppParts {
  config: Config;
  assistant: Assistant;
  /** Stored analytics (for /readyz and the staff page); absent in tests that do not need them. */
  analytics?: Analytics;
  metrics?: Metrics;
  /** Where logs go (standard output when absent); tests read them. */
  logStream?: { write(line: string): void };
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
 * The whole HTTP service, built but not listening (tests use `inject` or listen on a free port):
 * Bot Framework at /api/messages, Direct Line at /v3/directline, the chat page at /, the embed snippet at
 * /embed.js, health at /healthz and /readyz.
 */
export async function buildApp({ config, assistant, analytics, metrics, logStream }: AppParts): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.LOG_LEVEL, logStream),
    bodyLimit: 256 * 1024,
    // A hop count as proxy-addr takes it (fastify's types only know strings and functions).
    trustProxy: typeof config.TRUST_PROXY === 'number' ? trustHops(config.TRUST_PROXY) : config.TRUST_PROXY,
    forceCloseConnections: true,
    // One line per request, written when it ends (below), instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Before any route: routes take the error handler in place when they are declared.
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(apiError(404, 'Nothing here.')));
  app.addHook('onResponse', async (request, reply) => {
    // Expected refusals (4xx) and successes at debug: a flood of them must not flood the log.
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    request.log[level]({ req: request, res: reply, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(cors, {
    origin: (origin, done) => done(null, !origin || config.ALLOWED_ORIGINS.includes(origin)),
    methods: ['GET', 'POST'],
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // API responses are JSON for programs: they need no page policies, only to not be sniffed or cached.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('x-content-type-options', 'nosniff').header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });

  await app.register(rateLimit, { global: false });

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Ready: content loaded and engine trained (or we would not be here), storage writable.
  app.get('/readyz', async (_request, reply) => {
    // Why storage is not ready ('disk full', 'not writable'…) without paths; the log says where and what to do.
    const check = analytics?.check();
    const storage = check ? check.ok : null;
    const reason = check && !check.ok ? { reason: check.reason } : {};
    return reply.code(storage === false ? 503 : 200).send({ status: storage === false ? 'storage not writable' : 'ready', intents: assistant.nlu.intents.length, storage, ...reason });
  });
  if (metrics) {
    // For the monitoring system only: it shows traffic, languages and memory, which are not for everyone.
    if (config.METRICS_TOKEN) {
      const token = config.METRICS_TOKEN;
      app.get('/metrics', async (request, reply) => {
        if (!secretMatches(bearerToken(request.headers.authorization), token)) return reply.code(401).send(apiError(401, 'A valid metrics token is needed.'));
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      });
    }
    // Failures of ours, not refusals of bad requests.
    app.addHook('onError', async (_request, reply) => void (reply.statusCode >= 500 && metrics.errors.inc({ where: 'http' })));
  }
  if (config.ADMIN_TOKEN && analytics) await adminRoutes(app, { token: config.ADMIN_TOKEN, analytics });

  // Bot Framework: Azure Bot Service channels and the Emulator.
  await botFrameworkRoutes(app, { settings: config, assistant });

  // Direct Line, and the token the public page starts its conversation with.
  const store = new ConversationStore({
    ttlMs: config.CONVERSATION_TTL_SECONDS * 1000,
    max: 50_000,
    history: 8,
    maxBytes: config.DIRECTLINE_MEMORY_MB * 2 ** 20,
    // What an address can start in ADDRESS_MINUTES (10) at its full rate: 200 conversations by default.
    maxPerAddress: config.CONVERSATIONS_PER_MINUTE * ConversationStore.ADDRESS_MINUTES,
  });
  const tokens = new TokenIssuer(config.tokenKey, config.DIRECTLINE_TOKEN_TTL_SECONDS);
  await directLineRoutes(app, {
    assistant,
    store,
    tokens,
    secret: config.DIRECTLINE_SECRET,
    publicUrl: config.PUBLIC_URL,
    messagesPerMinute: config.MESSAGES_PER_MINUTE,
    conversationsPerMinute: config.CONVERSATIONS_PER_MINUTE,
    rejected: metrics?.rejected,
  });

  await embedCheckRoute(app, { allowedOrigins: config.ALLOWED_ORIGINS, publicUrl: config.PUBLIC_URL });

  // The chat page, its assets, Web Chat itself (served from our server: no third-party CDN) and the embed snippet,
  // in their own scope with the page security headers and compression (the API routes above need neither).
  await app.register(async (pages) => {
    await pages.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Web Chat styles itself at run time (emotion), which needs inline styles.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'", ...(config.PUBLIC_URL ? [config.PUBLIC_URL.replace(/^http/, 'ws')] : [])],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'self'", ...config.ALLOWED_ORIGINS],
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
    if (!(await chatPage()).webChat) app.log.error('the Web Chat bundle is not built (dist/webchat): run npm run build:webchat; the chat page cannot chat');
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
  });

  // Telegram, when a token is configured: the bot is built here (its webhook is a route of this server);
  // main.ts connects it once the server listens.
  if (config.TELEGRAM_BOT_TOKEN) {
    const { bot } = createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, assistant, log: app.log });
    app.decorate('telegram', bot);
    if (config.TELEGRAM_WEBHOOK_URL) {
      app.post(new URL(config.TELEGRAM_WEBHOOK_URL).pathname, async (request, reply) => {
        // Only Telegram knows the secret (set with setWebhook): anything else is refused.
        if (!secretMatches(request.headers['x-telegram-bot-api-secret-token'], config.telegramSecret)) return reply.code(401).send({ error: 'unauthorized' });
        await bot.handleUpdate(request.body as Update);
        return reply.code(200).send({ ok: true });
      });
    }
  }

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
