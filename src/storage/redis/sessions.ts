import { randomBytes } from 'node:crypto';
import { TurnQueue, type Session, type SessionStore } from '../../dialogue/session.js';
import type { RedisConnection } from './connection.js';

export interface RedisSessionStoreOptions {
  /** Idle conversations are forgotten after this many milliseconds (as in memory: every save and load renews it). */
  ttlMs: number;
  /** A conversation's lock is freed after this long even if its holder died (a turn takes milliseconds). */
  lockMs?: number;
  /** A turn waiting for its conversation gives up after this long (then answers without the lock). */
  waitMs?: number;
  /** Keys start with this (several services may share one Redis). */
  prefix?: string;
}

/** Deletes the lock only if it is still ours: a lock that expired and was taken by another turn is left alone. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Conversations in Redis, shared by every instance: each kept as JSON under `<prefix>session:<id>` with the idle
 * expiry renewed by every load and save (PX), and one turn of a conversation at a time whichever instance gets it:
 * turns queue on this instance as in memory, then take the conversation's lock in Redis (SET NX PX with a random
 * token, released by compare-and-delete, retried with a short backoff).
 *
 * When Redis cannot be reached, a turn is answered as a question on its own: loading finds nothing, saving keeps
 * nothing, and the lock is this instance's only; the connection logs the loss once and the return once.
 */
export class RedisSessionStore implements SessionStore {
  private readonly lockMs: number;
  private readonly waitMs: number;
  private readonly prefix: string;
  /** Turns of one conversation on this instance, in the order they came (before the lock across instances). */
  private readonly turns = new TurnQueue();
  /** Conversations whose load failed in the turn in progress: their save must not overwrite what Redis keeps. */
  private readonly unloaded = new Set<string>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: RedisSessionStoreOptions,
  ) {
    this.lockMs = options.lockMs ?? 5_000;
    this.waitMs = options.waitMs ?? 2 * this.lockMs;
    this.prefix = options.prefix ?? 'osce:';
  }

  async load(id: string): Promise<Session | undefined> {
    try {
      const kept = await this.redis.client.getex(this.key(id), 'PX', this.options.ttlMs);
      this.unloaded.delete(id);
      return kept === null ? undefined : (JSON.parse(kept) as Session);
    } catch (error) {
      this.redis.failed(error);
      this.unloaded.add(id);
      return undefined;
    }
  }

  async save(id: string, session: Session): Promise<void> {
    if (this.unloaded.delete(id)) return;
    try {
      await this.redis.client.set(this.key(id), JSON.stringify(session), 'PX', this.options.ttlMs);
    } catch (error) {
      this.redis.failed(error);
    }
  }

  async peek(id: string): Promise<Session | undefined> {
    try {
      const kept = await this.redis.client.get(this.key(id));
      return kept === null ? undefined : (JSON.parse(kept) as Session);
    } catch (error) {
      this.redis.failed(error);
      return undefined;
    }
  }

  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    // First in line on this instance (in the order turns came), then first across instances.
    return this.turns.run(id, async () => {
      const token = await this.acquire(id);
      try {
        return await fn();
      } finally {
        if (token) await this.redis.client.eval(RELEASE, 1, this.lockKey(id), token).catch((error: unknown) => this.redis.failed(error));
      }
    });
  }


  /** Takes the conversation's lock; its token, or undefined when Redis cannot be reached or the wait ran out. */
  private async acquire(id: string): Promise<string | undefined> {
    const token = randomBytes(16).toString('base64url');
    const deadline = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await this.redis.client.set(this.lockKey(id), token, 'PX', this.lockMs, 'NX')) === 'OK') return token;
      } catch (error) {
        this.redis.failed(error);
        return undefined;
      }
      if (Date.now() >= deadline) return undefined;
      // 5, 10, 20, 40 ms, then every 50 ms, with jitter so that waiting instances do not knock in step.
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 50) * (0.5 + Math.random())));
    }
  }

  private key(id: string): string {
    return `${this.prefix}session:${id}`;
  }

  private lockKey(id: string): string {
    return `${this.prefix}lock:${id}`;
  }
}
