import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AssistantObserver, RatingEvent, TurnEvent } from '../core/observer.js';

/**
 * Prometheus metrics (prom-client) at /metrics: messages by channel, language and intent; fallbacks; ratings;
 * reply latency; errors; requests refused by a limit; and Node's own process metrics. Labels carry no personal data.
 */
export class Metrics implements AssistantObserver {
  readonly registry = new Registry();
  private readonly messages = new Counter({ name: 'assistant_messages_total', help: 'Messages answered', labelNames: ['channel', 'lang', 'intent'], registers: [this.registry] });
  private readonly fallbacks = new Counter({ name: 'assistant_fallbacks_total', help: 'Replies that could not answer from the knowledge base', labelNames: ['channel', 'lang'], registers: [this.registry] });
  private readonly ratings = new Counter({ name: 'assistant_ratings_total', help: 'Ratings of answers', labelNames: ['intent', 'rating'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'assistant_reply_seconds',
    help: 'Time the engine took to reply',
    labelNames: ['channel'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  readonly errors = new Counter({ name: 'assistant_errors_total', help: 'Requests or turns that failed', labelNames: ['where'], registers: [this.registry] });
  /**
   * Requests a limit refused (429), by reason: `messages_per_conversation` (MESSAGES_PER_MINUTE),
   * `conversations_per_address` (CONVERSATIONS_PER_MINUTE). They are neither answered nor stored, and logged once a
   * conversation and minute at most: this counts them all.
   */
  /** Storage operations that failed (a full or read-only disk): what they would have stored is not kept. */
  readonly storageErrors = new Counter({ name: 'assistant_storage_errors_total', help: 'Storage operations that failed (nothing stored)', labelNames: ['operation', 'reason'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'assistant_rejected_total', help: 'Requests refused by a limit', labelNames: ['reason'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  turn(e: TurnEvent): void {
    this.messages.inc({ channel: e.channel, lang: e.reply.lang, intent: e.reply.intent ?? 'none' });
    if (e.reply.fallback) this.fallbacks.inc({ channel: e.channel, lang: e.reply.lang });
    this.latency.observe({ channel: e.channel }, e.latencyMs / 1000);
  }

  rating(e: RatingEvent): void {
    this.ratings.inc({ intent: e.intent, rating: e.rating > 0 ? 'up' : 'down' });
  }
}
