import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
// botframework-directlinejs is a browser library: in Node it needs these two globals (its README says so).
import XMLHttpRequest from 'xhr2';
Object.assign(globalThis, { XMLHttpRequest, WebSocket });
const { DirectLine, ConnectionStatus } = await import('botframework-directlinejs');
type Activity = import('botframework-directlinejs').Activity;
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { Metrics } from '../../src/server/metrics.js';
import { Analytics } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { assistant } from '../support/engine.js';

const METRICS = 'metrics-token-7hD2pW9qZ4xL6vB1nC8mK3rT';
const ATTACKER = '203.0.113.7';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** The real app on a loopback port, with analytics, metrics and its log lines at the production level (info). */
async function start(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const analytics = new Analytics(openDatabase(':memory:'), 90);
  const metrics = new Metrics();
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'info', METRICS_TOKEN: METRICS, ...env }),
    assistant: assistant({ observers: [analytics, metrics] }),
    analytics,
    metrics,
    logStream: { write: (line) => void lines.push(line) },
  });
  apps.push(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const metricsText = async () => (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } })).body;
  return { app, url, lines, analytics, metricsText };
}

/** Someone chatting from this machine (127.0.0.1) with a WebSocket stream open, as Web Chat does. */
async function liveConversation(url: string) {
  const { token, conversationId } = (await (await fetch(`${url}/api/webchat/token`, { method: 'POST' })).json()) as { token: string; conversationId: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const { streamUrl } = (await (await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers, body: '{}' })).json()) as { streamUrl: string };
  const ws = new WebSocket(streamUrl);
  const received: { activities: { text?: string; from: { role: string } }[] }[] = [];
  let closed: number | undefined;
  ws.on('message', (data) => void received.push(JSON.parse(String(data))));
  ws.on('close', (code) => (closed = code));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const activitiesUrl = `${url}/v3/directline/conversations/${conversationId}/activities`;
  const answers = () => received.flatMap((set) => set.activities).filter((a) => a.from.role === 'bot');
  return {
    closed: () => closed,
    /** Posts a message and waits (up to 5 s) for its answer on the stream. */
    ask: async (text: string) => {
      const before = answers().length;
      const res = await fetch(activitiesUrl, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text, from: { id: 'visitor' } }) });
      for (let i = 0; i < 250 && answers().length === before; i++) await new Promise((r) => setTimeout(r, 20));
      return { status: res.status, answer: answers()[before]?.text };
    },
    read: () => fetch(activitiesUrl, { headers }),
    end: () => ws.close(),
  };
}

/** One address opening conversations and filling each with long messages (every field as long as allowed). */
async function attack(app: FastifyInstance, conversations: number, text: string) {
  const opened: { conversationId: string; token: string }[] = [];
  for (let i = 0; i < conversations; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/webchat/token', remoteAddress: ATTACKER });
    expect(res.statusCode).toBe(200);
    const c = res.json<{ conversationId: string; token: string }>();
    opened.push(c);
    for (let j = 0; j < 4; j++) {
      const posted = await app.inject({
        method: 'POST',
        url: `/v3/directline/conversations/${c.conversationId}/activities`,
        remoteAddress: ATTACKER,
        headers: { authorization: `Bearer ${c.token}` },
        payload: { type: 'message', text, locale: 'x'.repeat(35), from: { id: 'i'.repeat(200), name: 'n'.repeat(200) }, channelData: { clientActivityID: `${i}-${j}-${'c'.repeat(90)}` } },
      });
      expect(posted.statusCode).toBe(200);
    }
  }
  const status = (c: { conversationId: string; token: string }) =>
    app.inject({ url: `/v3/directline/conversations/${c.conversationId}/activities`, remoteAddress: ATTACKER, headers: { authorization: `Bearer ${c.token}` } }).then((r) => r.statusCode);
  return { first: () => status(opened[0]!), last: () => status(opened.at(-1)!) };
}

describe('Direct Line memory: nobody pushes out someone else’s conversation', () => {
  it('keeps a live conversation while another address opens conversations of 100 kB messages (the limits as shipped)', async () => {
    const { app, url } = await start({ DIRECTLINE_MEMORY_MB: '8' });
    const victim = await liveConversation(url);
    try {
      expect((await victim.ask('what is the budget of the mission?')).answer).toContain('17,510,500');
      // 20 conversations (all one address may start in a minute), 4 messages of 100 kB each: 16 MB if kept whole.
      await attack(app, 20, 'a'.repeat(100_000));
      expect(victim.closed()).toBeUndefined();
      expect((await victim.read()).status).toBe(200);
      const again = await victim.ask('who is the head of mission?');
      expect(again.status).toBe(200);
      expect(again.answer).toBeTruthy();
    } finally {
      victim.end();
    }
  });

  it('makes the address holding the most give way when memory is full: its own oldest conversations go, not others’', async () => {
    // An address allowed to start conversations as fast as it likes: only the memory budget holds it.
    const { app, url } = await start({ DIRECTLINE_MEMORY_MB: '8', CONVERSATIONS_PER_MINUTE: '100000' });
    const victim = await liveConversation(url);
    try {
      expect((await victim.ask('what is the budget of the mission?')).answer).toContain('17,510,500');
      // ~19 kB each (text cut to 1,000 characters, every other field full): 600 are well over 8 MB.
      const attacker = await attack(app, 600, 'a'.repeat(1_000));
      expect(await attacker.first()).toBe(404);
      expect(await attacker.last()).toBe(200);
      expect(victim.closed()).toBeUndefined();
      expect((await victim.read()).status).toBe(200);
      expect((await victim.ask('who is the head of mission?')).status).toBe(200);
    } finally {
      victim.end();
    }
  }, 60_000);
});

describe('Direct Line: messages per conversation', () => {
  it('refuses messages past the limit with 429 and Retry-After: nothing kept or answered, one log line per conversation, the refusals counted', async () => {
    const { app, lines, analytics, metricsText } = await start({ MESSAGES_PER_MINUTE: '3' });
    const open = async () => {
      const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
      const url = `/v3/directline/conversations/${conversationId}/activities`;
      const headers = { authorization: `Bearer ${token}` };
      return {
        conversationId,
        say: (text: string, clientActivityID?: string) =>
          app.inject({ method: 'POST', url, headers, payload: { type: 'message', text, from: { id: 'u' }, ...(clientActivityID ? { channelData: { clientActivityID } } : {}) } }),
        read: async () => (await app.inject({ url, headers })).json<{ activities: unknown[]; watermark: string }>(),
      };
    };
    const a = await open();
    for (let i = 0; i < 3; i++) expect((await a.say('what is the budget?')).statusCode).toBe(200);
    const kept = await a.read();
    const logged = lines.length;
    for (let i = 0; i < 50; i++) {
      const refused = await a.say('my private question about the budget', `retry-${i}`);
      expect(refused.statusCode).toBe(429);
      const wait = Date.parse(String(refused.headers['retry-after'])) - Date.now();
      expect(wait).toBeGreaterThan(-1000);
      expect(wait).toBeLessThanOrEqual(61_000);
    }
    expect(await a.read()).toEqual(kept);
    // 50 refusals, one line; without the conversation's id or the text.
    const flood = lines.slice(logged);
    expect(flood).toHaveLength(1);
    expect(JSON.parse(flood[0]!)).toMatchObject({ level: 40, reason: 'messages_per_conversation', limit: 3 });
    expect(flood[0]).not.toContain(a.conversationId);
    expect(flood[0]).not.toContain('private');

    // Another conversation has its own limit, and its own single line when over it.
    const b = await open();
    for (let i = 0; i < 3; i++) expect((await b.say('hello')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await b.say('hello')).statusCode).toBe(429);
    expect(lines.slice(logged)).toHaveLength(2);

    expect((await analytics.report(0, Date.now() + 1000)).totals.turns).toBe(6);
    const metrics = await metricsText();
    expect(metrics).toMatch(/assistant_rejected_total\{reason="messages_per_conversation"\} 55/);
  });

  it('refuses a conversation already over its limit before reading what it sent (a flood costs no parsing)', async () => {
    const { app, metricsText } = await start({ MESSAGES_PER_MINUTE: '2' });
    const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
    const post = (payload: string) =>
      app.inject({ method: 'POST', url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
    const broken = `{"type":"message","text":"${'x'.repeat(50_000)}`;
    // Within the limit a broken body is read, and refused as such.
    expect((await post(broken)).statusCode).toBe(400);
    for (let i = 0; i < 2; i++) expect((await post(JSON.stringify({ type: 'message', text: 'hello' }))).statusCode).toBe(200);
    expect((await post(JSON.stringify({ type: 'message', text: 'hello' }))).statusCode).toBe(429);
    // Past it, the body is never parsed: the broken one gets the same 429 (a parser would have said 400).
    const refused = await post(broken);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeTruthy();
    expect(refused.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    // Another conversation's token gets no hint about this one's limit.
    const other = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string }>();
    const foreign = await app.inject({ method: 'POST', url: `/v3/directline/conversations/${conversationId}/activities`, headers: { authorization: `Bearer ${other.token}` }, payload: { type: 'message', text: 'hi' } });
    expect(foreign.statusCode).toBe(403);
    expect(await metricsText()).toMatch(/assistant_rejected_total\{reason="messages_per_conversation"\} 2/);
  });

  it('counts conversations refused to an address', async () => {
    const { app, metricsText } = await start({ CONVERSATIONS_PER_MINUTE: '2' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'POST', url: '/api/webchat/token', remoteAddress: ATTACKER })).statusCode);
    expect(codes).toEqual([200, 200, 429, 429, 429]);
    expect(await metricsText()).toMatch(/assistant_rejected_total\{reason="conversations_per_address"\} 3/);
  });

  it('leaves a refused message unacknowledged by Web Chat’s client (botframework-directlinejs): no id, no echo, so it shows "Send failed. Retry."', async () => {
    const { url } = await start({ MESSAGES_PER_MINUTE: '2' });
    const { token } = (await (await fetch(`${url}/api/webchat/token`, { method: 'POST' })).json()) as { token: string };
    const dl = new DirectLine({ token, domain: `${url}/v3/directline`, webSocket: true });
    const seen: Activity[] = [];
    const subscription = dl.activity$.subscribe((a) => seen.push(a));
    try {
      await new Promise<void>((resolve) => dl.connectionStatus$.subscribe((s) => s === ConnectionStatus.Online && resolve()));
      const post = (text: string) =>
        new Promise<{ id?: string; status?: number }>((resolve) =>
          dl.postActivity({ from: { id: 'visitor' }, type: 'message', text, channelData: { clientActivityID: text } } as Activity).subscribe({
            next: (id) => resolve({ id }),
            error: (error: { status?: number }) => resolve({ status: error.status }),
          }),
        );
      const echoed = (text: string) => seen.some((a) => (a.channelData as { clientActivityID?: string } | undefined)?.clientActivityID === text);
      expect((await post('hello')).id).toMatch(/\|0000001$/);
      expect((await post('what is the budget?')).id).toMatch(/\|0000003$/);
      // Retry-After is a date: directlinejs then fails the send with the 429 at once (with a number of seconds it
      // would answer "retry", and Web Chat would say "Send failed" only when its 20 s send timeout ends).
      const refused = await post('and the staff?');
      expect(refused.status).toBe(429);
      await new Promise((r) => setTimeout(r, 300));
      expect(echoed('hello')).toBe(true);
      expect(echoed('and the staff?')).toBe(false);
    } finally {
      subscription.unsubscribe();
      dl.end();
    }
  });
});
