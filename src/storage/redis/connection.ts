import { Redis } from 'ioredis';

/** Logging as pino and fastify do it: an object of fields, then the message. */
export interface RedisLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** How long one command may take before it counts as failed (Redis answers in well under a millisecond). */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * The one Redis client of an instance (REDIS_URL), shared by the conversations and the rate limits, and whether
 * Redis can be reached now. Commands fail at once while Redis is away (no offline queue), so that nothing waits
 * on it: conversations are answered without memory and limits are counted in memory until it is back. The client
 * reconnects by itself; losing Redis is logged once, and so is its return.
 */
export class RedisConnection {
  private lost = false;

  private constructor(
    readonly client: Redis,
    private readonly log: RedisLog,
    private readonly where: string,
  ) {
    client.on('error', (error: Error) => this.down(error.message));
    client.on('close', () => this.down('connection closed'));
    client.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      this.log.info({ redis: this.where }, 'Redis is back: conversations are shared and remembered again');
    });
  }

  /**
   * Connects to `url` (redis:// or rediss://) and waits until Redis answers; throws one paragraph saying what to
   * check when it cannot be reached within `timeoutMs`.
   */
  static async connect(url: string, log: RedisLog, timeoutMs = 5_000): Promise<RedisConnection> {
    const where = redactedUrl(url);
    const client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      // A command caught by a lost connection fails at once instead of waiting for Redis to come back.
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: Math.min(timeoutMs, 5_000),
      // Forever, at most every 2 s: Redis coming back is noticed within 2 s.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
    // Errors before the first connection are the start's to report (the first says why: refused, unknown host…).
    let why: string | undefined;
    const early = (error: Error): void => void (why ??= error.message);
    client.on('error', early);
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref()),
      ]);
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new Error(
        `Redis cannot be reached at ${where} (REDIS_URL): ${(why ?? (error as Error).message).replace(/\.$/, '')}. Several instances keep their conversations and limits there, so this instance does not start without it: check that Redis runs and that this machine can reach it (host, port, password, and rediss:// for TLS), or unset REDIS_URL to run a single instance with everything in memory.`,
      );
    } finally {
      client.off('error', early);
    }
    return new RedisConnection(client, log, where);
  }

  /** Whether the client is connected to Redis now. */
  get up(): boolean {
    return this.client.status === 'ready';
  }

  /** Whether Redis answers a PING within `timeoutMs` now (for /readyz): a connection can be gone before the client knows. */
  async answers(timeoutMs = 1_000): Promise<boolean> {
    if (!this.up) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      return (await Promise.race([this.client.ping(), late])) === 'PONG';
    } catch (error) {
      this.failed(error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Called by the stores when a command failed: the connection may be going before the client notices. */
  failed(error: unknown): void {
    if (this.client.status !== 'ready') this.down((error as Error).message);
  }

  private down(reason: string): void {
    if (this.lost || this.closing) return;
    this.lost = true;
    this.log.error(
      { redis: this.where, reason },
      'Redis is lost: questions are answered one at a time without conversation memory and limits are counted on this instance only, until it is back',
    );
  }

  private closing = false;

  /** Ends the connection (shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** The URL without its password, for logs and errors. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}
