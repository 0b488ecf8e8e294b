import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

const list = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []));
/** An IP address or a network in CIDR form, as proxy-addr (fastify's trustProxy) takes them. */
function isProxyAddress(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * A token that guards staff data: long and random enough that guessing it is hopeless even at thousands of tries a
 * second (a rate limit adds to this, not replaces it). "0123456789abcdef" or a word repeated is refused.
 */
const strongToken = z
  .string()
  .refine((t) => t.length >= 32 && new Set(t).size >= 10, 'at least 32 random characters: make one with `openssl rand -base64 32`')
  .optional();
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting of the server, from the environment. Documented in the README's configuration table;
 * tests/server/config.test.ts keeps the two in step.
 */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().default('0.0.0.0'),
  /** Public address of this server (https://chat.example.org), when a proxy hides it; else taken from requests. */
  PUBLIC_URL: z.url().optional(),
  /** Origins of pages allowed to embed the chat and call the API (CORS and frame-ancestors). */
  ALLOWED_ORIGINS: list,
  /**
   * Behind reverse proxies: how many hops to trust (1 for one proxy), or the proxies' addresses or networks
   * (10.0.0.5,10.1.0.0/16). The client address is then the last one those proxies added to X-Forwarded-For, which a
   * client cannot forge. "true" (trust every hop) is refused: anyone could then pick their address and escape
   * every per-address limit.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx): false | number | string[] => {
      const v = value.trim().toLowerCase();
      if (v === 'false' || v === '0' || v === 'no') return false;
      if (/^\d+$/.test(v)) return Number(v);
      const proxies = v.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = proxies.filter((p) => !isProxyAddress(p));
      if (v === 'true' || v === 'yes' || bad.length || !proxies.length) {
        ctx.addIssue({ code: 'custom', message: 'give the number of proxies in front of this server (e.g. 1) or their addresses (e.g. 10.0.0.5,10.1.0.0/16); "true" would trust every hop' });
        return z.NEVER;
      }
      return proxies;
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bot Framework (Azure Bot Service): with none of these, /api/messages works with the Emulator, unauthenticated. */
  MicrosoftAppId: z.string().optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  MicrosoftAppTenantId: z.string().optional(),
  /**
   * Without app credentials, /api/messages answers only an Emulator on this machine (a loopback serviceUrl) and
   * these origins (https://…), so that nobody can make the bot post to an address of their choosing.
   */
  BOT_SERVICE_URLS: list.pipe(
    z.array(
      z.url({ protocol: /^https?$/ }).refine((u) => {
        const x = new URL(u);
        return x.pathname === '/' && !x.search && !x.hash && !x.username;
      }, 'an origin like https://bots.example.org (scheme, host and port only)'),
    ),
  ),
  /** Lets a trusted back end start Direct Line conversations with the secret; tokens are for browsers. */
  DIRECTLINE_SECRET: z.string().min(16).optional(),
  /** Signs Direct Line tokens. Random per start when unset (tokens then end with the process, as conversations do). */
  TOKEN_SIGNING_KEY: z.string().min(32).optional(),
  DIRECTLINE_TOKEN_TTL_SECONDS: seconds(1800),
  /** Memory the web chat's conversations may hold; past it the least recently active are forgotten. */
  DIRECTLINE_MEMORY_MB: z.coerce.number().int().min(8).default(128),
  /** Idle conversations are forgotten after this many seconds. */
  CONVERSATION_TTL_SECONDS: seconds(1800),
  /** Where the SQLite database (unanswered questions, ratings, counts) is kept. */
  DATA_DIR: z.string().default('data'),
  /** Several instances: the records (questions, ratings, counts) in this PostgreSQL instead of SQLite in DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'expected a PostgreSQL URL, like postgres://user:password@db:5432/assistant' }).optional(),
  /**
   * Key of the pseudonyms of stored conversations (kept outside the database, so that the database alone cannot
   * link questions to a person). Random per start when unset: pseudonyms then change at each restart.
   */
  PSEUDONYM_KEY: z.string().min(32).optional(),
  /** Stored questions, turns and ratings older than this are deleted. */
  RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  /** Opens the staff page /admin to whoever has this token; without it the page is off. */
  ADMIN_TOKEN: strongToken,
  /** Opens /metrics (Prometheus) to whoever sends it as a bearer token; without it /metrics is off. */
  METRICS_TOKEN: strongToken,
  /** Conversations one address may start per minute (web chat). */
  CONVERSATIONS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Messages (and events) one web chat conversation may send per minute; past it they are refused with 429. */
  MESSAGES_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Telegram: with a token the bot runs too, by long polling unless a webhook URL is given. */
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, 'expected a token from @BotFather, like 123456:ABC-…').optional(),
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https$/ }).optional(),
  /** Checked on every webhook request (Telegram's secret_token); random per start when unset. */
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[\w-]{16,256}$/, '16 to 256 letters, digits, _ or -').optional(),
  /** Another Bot API server (Telegram's self-hosted one, or a local stand-in). */
  TELEGRAM_API_ROOT: z.url().optional(),
  /** Several instances: conversations and rate limits shared in this Redis (redis:// or rediss:// for TLS). */
  REDIS_URL: z.url({ protocol: /^rediss?$/, hostname: /./, error: 'expected a Redis URL, like redis://redis:6379 or rediss://user:password@host:6380' }).optional(),
});

export type Config = z.infer<typeof ConfigSchema> & { tokenKey: Uint8Array; telegramSecret: string };

/** Thrown with every problem of the environment listed, so that the operator can fix them in one go. */
export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A variable set to nothing (`TELEGRAM_BOT_TOKEN=` in a compose file) means unset, as in most tools.
  const result = ConfigSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!result.success) {
    // Values are never echoed: some of them are secrets.
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = result.data;
  if (c.REDIS_URL && c.TELEGRAM_BOT_TOKEN) {
    // Several instances: Telegram can post to any of them, and each must know the one secret it sends.
    const problems: string[] = [];
    if (!c.TELEGRAM_WEBHOOK_URL) problems.push('TELEGRAM_WEBHOOK_URL: long polling cannot run on several instances: set TELEGRAM_WEBHOOK_URL (the public https address of /telegram/… on the load balancer) so that Telegram posts updates to any instance, or unset REDIS_URL to run one instance with long polling');
    if (!c.TELEGRAM_WEBHOOK_SECRET) problems.push('TELEGRAM_WEBHOOK_SECRET: with REDIS_URL every instance must check the same webhook secret, but it would be random per start: set it, the same on every instance (make one with `openssl rand -hex 32`)');
    if (problems.length) throw new ConfigError(problems);
  }
  // Several instances: a Direct Line token one of them signed must be valid on all, so the key cannot be random.
  if (c.REDIS_URL && !c.TOKEN_SIGNING_KEY)
    throw new ConfigError(['TOKEN_SIGNING_KEY: with REDIS_URL every instance must accept the web chat tokens the others sign, but the key would be random per start: set it, the same on every instance (at least 32 characters; make one with `openssl rand -hex 32`)']);
  // Shared records: one conversation must have one pseudonym whichever instance answers it, and after a restart.
  if ((c.REDIS_URL || c.DATABASE_URL) && !c.PSEUDONYM_KEY)
    throw new ConfigError([`PSEUDONYM_KEY: with ${c.DATABASE_URL ? 'DATABASE_URL' : 'REDIS_URL'} several instances keep one set of records, but the pseudonyms' key would be random per start (one conversation counted as several): set it, the same on every instance (at least 32 characters; make one with \`openssl rand -base64 32\`)`]);
  const tokenKey = c.TOKEN_SIGNING_KEY ? new TextEncoder().encode(c.TOKEN_SIGNING_KEY) : new Uint8Array(randomBytes(32));
  const telegramSecret = c.TELEGRAM_WEBHOOK_SECRET ?? randomBytes(24).toString('base64url');
  return { ...c, tokenKey, telegramSecret };
}
