import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  /** What the stand-in answered (for a poll: its id). */
  result?: Record<string, unknown>;
}

/**
 * A local stand-in of the Telegram Bot API for telegraf: serves getMe, getUpdates (long polling on queued
 * updates), sendMessage, answerCallbackQuery, setMyCommands, webhook methods…, records every call, and can answer
 * the next calls of a method with an error (a 429 with retry_after, say).
 */
export class TelegramApiStandIn {
  readonly calls: ApiCall[] = [];
  private readonly updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private readonly waiting = new Set<() => void>();
  private readonly failures = new Map<string, { left: number; error: Record<string, unknown> }>();
  private server?: Server;
  url = '';

  constructor(
    readonly bot = { id: 7000001, is_bot: true as const, first_name: 'OSCE Kosovo', username: 'osce_kosovo_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
    readonly tokenStatus: 200 | 401 = 200,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req).then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const wake of this.waiting) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Queues an update; returns its update_id. Give `update_id` to send the same update again. */
  push(update: Record<string, unknown>): number {
    const update_id = typeof update.update_id === 'number' ? update.update_id : this.nextUpdateId++;
    this.updates.push({ ...update, update_id });
    for (const wake of this.waiting) wake();
    return update_id;
  }

  /** The next `times` calls of `method` fail with this error. */
  failNext(method: string, times: number, error: Record<string, unknown>): void {
    this.failures.set(method, { left: times, error });
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `count` calls of `method` match. */
  async waitFor(method: string, predicate: (c: ApiCall) => boolean = () => true, count = 1, timeoutMs = 8000): Promise<ApiCall[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.callsOf(method).filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > end) throw new Error(`timed out waiting for ${count} × ${method} (got ${found.length})`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  private async handle(req: IncomingMessage): Promise<Record<string, unknown>> {
    const method = (req.url ?? '').split('/').pop() ?? '';
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const call: ApiCall = { method, body, at: Date.now() };
    if (method !== 'getUpdates') this.calls.push(call);
    if (this.tokenStatus === 401) return { ok: false, error_code: 401, description: 'Unauthorized' };
    const failure = this.failures.get(method);
    if (failure && failure.left > 0) {
      failure.left -= 1;
      return { ok: false, ...failure.error };
    }
    switch (method) {
      case 'getMe':
        return { ok: true, result: this.bot };
      case 'getUpdates':
        return { ok: true, result: await this.updatesFrom(Number(body.offset ?? 0), Number(body.timeout ?? 0)) };
      case 'sendMessage':
        return { ok: true, result: { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, text: body.text } };
      case 'sendPoll': {
        const id = this.nextMessageId++;
        const options = (body.options as (string | { text: string })[]).map((o) => ({ text: typeof o === 'string' ? o : o.text, voter_count: 0 }));
        const poll = { id: `poll-${id}`, question: body.question, options, total_voter_count: 0, is_closed: false, is_anonymous: false, type: body.type, allows_multiple_answers: false, correct_option_id: body.correct_option_id };
        call.result = { poll };
        return { ok: true, result: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, poll } };
      }
      default:
        return { ok: true, result: true };
    }
  }

  private async updatesFrom(offset: number, timeoutSeconds: number): Promise<Record<string, unknown>[]> {
    // Confirmed updates (below the offset) are forgotten, as Telegram does.
    while (this.updates.length && Number(this.updates[0]!.update_id) < offset) this.updates.shift();
    if (this.updates.length || timeoutSeconds === 0) return this.updates.slice(0, 100);
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.waiting.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, Math.min(timeoutSeconds, 1) * 1000);
      this.waiting.add(wake);
    });
    return this.updates.filter((u) => Number(u.update_id) >= offset).slice(0, 100);
  }
}

let nextMessage = 1;

/** A text message update from a person in a chat. */
export function textUpdate(text: string, o: { chat?: number; from?: number; language?: string; group?: boolean; entities?: unknown[] } = {}) {
  const from = { id: o.from ?? o.chat ?? 1001, is_bot: false, first_name: 'Test', ...(o.language ? { language_code: o.language } : {}) };
  const chat = o.group ? { id: o.chat ?? -500, type: 'supergroup', title: 'Group' } : { id: o.chat ?? from.id, type: 'private', first_name: 'Test' };
  const entities = o.entities ?? (text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined);
  return { message: { message_id: nextMessage++, date: Math.floor(Date.now() / 1000), chat, from, text, ...(entities ? { entities } : {}) } };
}
