import { TelegramError } from 'telegraf';

export interface SendQueueOptions {
  /** Attempts for one message (429 waits and transient errors included). */
  attempts: number;
  /** Messages waiting per chat beyond which new ones are dropped (a chat that cannot be reached must not grow). */
  maxPending: number;
  /** Wait before retrying a transient error, doubled each time. */
  backoffMs: number;
  onDropped?: (chatId: number | string, reason: string) => void;
}

const DEFAULTS: SendQueueOptions = { attempts: 5, maxPending: 50, backoffMs: 500 };

/**
 * Sending to Telegram in order, per chat, with the retries telegraf does not do: a 429 waits the `retry_after`
 * Telegram asks for, a network error or 5xx backs off; 403 (the person blocked the bot) and other 4xx give up.
 * One slow chat never holds up the others.
 */
export class SendQueue {
  private readonly tails = new Map<number | string, { promise: Promise<void>; pending: number }>();
  private readonly options: SendQueueOptions;

  constructor(options: Partial<SendQueueOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Queues a send for the chat; resolves when it is sent or given up (never rejects). */
  push(chatId: number | string, send: () => Promise<unknown>): Promise<void> {
    let tail = this.tails.get(chatId);
    if (!tail) this.tails.set(chatId, (tail = { promise: Promise.resolve(), pending: 0 }));
    if (tail.pending >= this.options.maxPending) {
      this.options.onDropped?.(chatId, 'too many messages waiting');
      return Promise.resolve();
    }
    const entry = tail;
    entry.pending += 1;
    const promise = entry.promise
      .then(() => this.attempt(chatId, send))
      .finally(() => {
        entry.pending -= 1;
        if (entry.pending === 0 && this.tails.get(chatId) === entry) this.tails.delete(chatId);
      });
    entry.promise = promise;
    return promise;
  }

  /** Resolves when everything queued so far is sent or given up. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()].map((t) => t.promise));
  }

  private async attempt(chatId: number | string, send: () => Promise<unknown>): Promise<void> {
    let wait = this.options.backoffMs;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        await send();
        return;
      } catch (error) {
        const code = error instanceof TelegramError ? error.code : undefined;
        const retryAfter = error instanceof TelegramError ? error.parameters?.retry_after : undefined;
        if (code === 429) {
          await sleep((retryAfter ?? 1) * 1000);
          continue;
        }
        if (code !== undefined && code < 500) {
          this.options.onDropped?.(chatId, `Telegram refused the message (${code})`);
          return;
        }
        if (attempt < this.options.attempts) {
          await sleep(wait);
          wait *= 2;
        }
      }
    }
    this.options.onDropped?.(chatId, 'Telegram could not be reached');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
