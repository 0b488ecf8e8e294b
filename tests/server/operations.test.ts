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

describe('limits', () => {
  it('limits conversations per address', async () => {
    const { app: a } = await app({ CONVERSATIONS_PER_MINUTE: '3' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await a.inject({ method: 'POST', url: '/api/webchat/token' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    await a.close();
  });

  it('asks a conversation that sends too fast to slow down instead of answering', async () => {
    const { app: a, analytics } = await app({ MESSAGES_PER_MINUTE: '3' });
    const c = await conversation(a);
    // Four messages: the store keeps the last 8 activities, so all four and their answers are there to read.
    const asked = ['what is the budget', 'budget of the mission?', 'how big is the budget', "what's the mission's budget"];
    for (const text of asked) expect((await c.say(text)).statusCode).toBe(200);
    const bot = (await c.activities()).filter((x) => x.from.role === 'bot').map((x) => x.text ?? '');
    expect(bot.filter((t) => t.includes('17,510,500'))).toHaveLength(3);
    expect(bot.filter((t) => t.includes('faster than I can read'))).toHaveLength(1);
    expect(analytics.report(0, Date.now() + 1000).topics).toContainEqual({ intent: 'budget', count: 3 });
    await a.close();
  });

  it('answers a 100 kB message politely, and refuses bodies over the limit', async () => {
    const { app: a } = await app();
    const c = await conversation(a);
    expect((await c.say('a'.repeat(100_000))).statusCode).toBe(200);
    const last = (await c.activities()).at(-1)!;
    expect(last.text).toContain('too long');
    const huge = await a.inject({ method: 'POST', url: '/api/messages', payload: { type: 'message', text: 'a'.repeat(300_000) } });
    expect(huge.statusCode).toBe(413);
    await a.close();
  });
});
