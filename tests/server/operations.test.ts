import { describe, expect, it } from 'vitest';
import { Analytics } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { Metrics } from '../../src/server/metrics.js';
import { assistant } from '../support/engine.js';

const METRICS = 'metrics-token-4fQ9zL1xV8cN3bR6tY2wK7mP';

async function app(env: Record<string, string> = {}) {
  const analytics = new Analytics(openDatabase(':memory:'), 90);
  const metrics = new Metrics();
  const bot = assistant({ observers: [analytics, metrics] });
  return { app: await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }), assistant: bot, analytics, metrics }), analytics };
}

async function conversation(a: Awaited<ReturnType<typeof app>>['app']) {
  const { token, conversationId } = (await a.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
  const say = (text: string) =>
    a.inject({ method: 'POST', url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${token}` }, payload: { type: 'message', text, from: { id: 'u' } } });
  const activities = async () =>
    (await a.inject({ url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${token}` } })).json<{ activities: { text?: string; from: { role: string } }[] }>().activities;
  return { say, activities };
}

describe('health and metrics', () => {
  it('is ready when storage is writable, and exposes Prometheus metrics without personal data', async () => {
    const { app: a } = await app({ METRICS_TOKEN: METRICS });
    expect((await a.inject('/readyz')).json()).toMatchObject({ status: 'ready', storage: true });
    const c = await conversation(a);
    await c.say('what is the budget');
    await c.say('will it rain tomorrow? 044 123 456');
    const metrics = (await a.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } })).body;
    expect(metrics).toMatch(/assistant_messages_total\{channel="web",lang="en",intent="budget"\} 1/);
    expect(metrics).toMatch(/assistant_fallbacks_total\{channel="web",lang="en"\} 1/);
    expect(metrics).toContain('assistant_reply_seconds_bucket');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(metrics).not.toContain('044 123 456');
    await a.close();
  });
});

describe('the staff report', () => {
  it('counts a chat opened (Web Chat’s join event) but not its greeting as a message or a topic', async () => {
    const { app: a, analytics } = await app();
    const { token, conversationId } = (await a.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
    const post = (payload: object) =>
      a.inject({ method: 'POST', url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${token}` }, payload });
    expect((await post({ type: 'event', name: 'webchat/join', value: { lang: 'sq', source: 'poster-prizren' } })).statusCode).toBe(200);
    expect((await post({ type: 'message', text: 'sa eshte buxheti i misionit?', from: { id: 'u' } })).statusCode).toBe(200);
    const r = await analytics.report(0, Date.now() + 1000);
    expect(r.totals).toMatchObject({ opened: 1, conversations: 1, turns: 1 });
    expect(r.topics).toEqual([{ intent: 'budget', count: 1 }]);
    expect(r.sources).toEqual([{ source: 'poster-prizren', conversations: 1, turns: 1 }]);
    await a.close();
  });
});

describe('limits', () => {
  it('limits conversations per address', async () => {
    const { app: a } = await app({ CONVERSATIONS_PER_MINUTE: '3' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await a.inject({ method: 'POST', url: '/api/webchat/token' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    await a.close();
  });

  it('refuses a conversation that sends too fast with 429 and Retry-After, keeping, answering and counting nothing of it', async () => {
    const { app: a, analytics } = await app({ MESSAGES_PER_MINUTE: '3', METRICS_TOKEN: METRICS });
    const c = await conversation(a);
    for (const text of ['what is the budget', 'budget of the mission?', 'how big is the budget']) expect((await c.say(text)).statusCode).toBe(200);
    const before = await c.activities();
    expect(before).toHaveLength(6);
    for (let i = 0; i < 5; i++) {
      const refused = await c.say("what's the mission's budget");
      expect(refused.statusCode).toBe(429);
      const wait = Date.parse(String(refused.headers['retry-after'])) - Date.now();
      expect(wait).toBeGreaterThan(-1000);
      expect(wait).toBeLessThanOrEqual(61_000);
      expect(refused.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    }
    // Nothing kept (no echo, no answer, no request to slow down), no turn recorded: only the refusals counted.
    expect(await c.activities()).toEqual(before);
    expect((await analytics.report(0, Date.now() + 1000)).totals.turns).toBe(3);
    const metrics = (await a.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } })).body;
    expect(metrics).toMatch(/assistant_rejected_total\{reason="messages_per_conversation"\} 5/);
    expect(metrics).toMatch(/assistant_messages_total\{channel="web",lang="en",intent="budget"\} 3/);
    await a.close();
  });

  it('answers a 100 kB message politely, and refuses bodies over the limit', async () => {
    const { app: a } = await app();
    const c = await conversation(a);
    expect((await c.say('a'.repeat(100_000))).statusCode).toBe(200);
    const [echo, last] = await c.activities();
    expect(last!.text).toContain('too long');
    // Kept cut to what the engine reads (1,000 characters), not 100 kB per message.
    expect(echo!.from.role).toBe('user');
    expect(echo!.text).toBe(`${'a'.repeat(999)}…`);
    const huge = await a.inject({ method: 'POST', url: '/api/messages', payload: { type: 'message', text: 'a'.repeat(300_000) } });
    expect(huge.statusCode).toBe(413);
    await a.close();
  });
});
