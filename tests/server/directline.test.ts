import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
// botframework-directlinejs is a browser library: in Node it needs these two globals (its README says so).
import XMLHttpRequest from 'xhr2';
Object.assign(globalThis, { XMLHttpRequest, WebSocket });
const { DirectLine, ConnectionStatus } = await import('botframework-directlinejs');
type Activity = import('botframework-directlinejs').Activity;
import type { FastifyInstance } from 'fastify';
import { startApp } from '../support/server.js';

let app: FastifyInstance;
let url: string;
beforeAll(async () => ({ app, url } = await startApp()));
afterAll(() => app.close());

async function newToken(): Promise<{ token: string; conversationId: string }> {
  const res = await fetch(`${url}/api/webchat/token`, { method: 'POST' });
  return (await res.json()) as { token: string; conversationId: string };
}

/** A Direct Line client as Web Chat uses it, with a helper that posts and waits for the bot's answer. */
async function connect(webSocket: boolean) {
  const { token } = await newToken();
  const dl = new DirectLine({ token, domain: `${url}/v3/directline`, webSocket, pollingInterval: 50 });
  const seen: Activity[] = [];
  const subscription = dl.activity$.subscribe((a) => seen.push(a));
  await new Promise<void>((resolve) => dl.connectionStatus$.subscribe((s) => s === ConnectionStatus.Online && resolve()));
  const say = async (activity: Partial<Activity>): Promise<Activity[]> => {
    const id = await new Promise<string>((resolve, reject) =>
      dl.postActivity({ from: { id: 'visitor' }, type: 'message', ...activity } as Activity).subscribe({ next: resolve, error: reject }),
    );
    const replies = () => seen.filter((a) => a.from.id !== 'visitor' && (a as Activity & { replyToId?: string }).replyToId === id);
    for (let i = 0; i < 200; i++) {
      if (replies().length) {
        // A reply can be several activities: let the rest of them arrive.
        await new Promise((r) => setTimeout(r, 50));
        return replies();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no reply to ${id}`);
  };
  return { dl, seen, say, close: () => (subscription.unsubscribe(), dl.end()) };
}

const text = (activities: Activity[]) => activities.map((a) => ('text' in a ? a.text : '')).join('\n');
const buttons = (activities: Activity[]) =>
  activities.flatMap((a) => ('suggestedActions' in a && a.suggestedActions ? a.suggestedActions.actions : [])) as { title: string; value: { payload: string } }[];

describe('Direct Line with the botframework-directlinejs client', () => {
  it('holds an Albanian conversation over WebSocket: an answer, a follow-up, a quick reply', async () => {
    const c = await connect(true);
    try {
      const first = await c.say({ text: 'a ka zyre osbe ne peje?' });
      expect(text(first)).toContain('Pejë/Peć');
      expect(first[0]).toMatchObject({ locale: 'sq', textFormat: 'markdown' });

      const followUp = await c.say({ text: 'po ne prizren?' });
      expect(text(followUp)).toContain('Prizren');

      const contact = buttons(followUp).find((b) => b.value.payload === 'i:contact')!;
      expect(contact.title).toBe('Kontakti');
      const pressed = await c.say({ text: contact.title, value: contact.value });
      expect(text(pressed)).toContain('press.omik@osce.org');
      // The user's own messages come back, as Web Chat needs to mark them sent.
      expect(c.seen.filter((a) => a.from.id === 'visitor').length).toBe(3);
    } finally {
      c.close();
    }
  });

  it('holds a Serbian Cyrillic conversation by polling, and switches language on the event', async () => {
    const c = await connect(false);
    try {
      const budget = await c.say({ text: 'колики је буџет мисије?' });
      expect(text(budget)).toContain('17.510.500 евра');
      expect(budget[0]).toMatchObject({ locale: 'sr-Cyrl' });
      const switched = await c.say({ type: 'event', name: 'webchat/language', value: 'en' } as Partial<Activity>);
      expect(text(switched)).toContain('17,510,500 euros');
    } finally {
      c.close();
    }
  });

  it('plays the quiz with buttons, as the web chat does', async () => {
    const c = await connect(true);
    try {
      const start = await c.say({ text: 'Kviz', locale: 'sr-Latn', value: { payload: 'q:start' } } as Partial<Activity>);
      expect(text(start)).toContain('1 od 5');
      const options = buttons(start).filter((b) => b.value.payload.startsWith('q:a:'));
      expect(options.length).toBeGreaterThanOrEqual(3);
      expect(buttons(start).map((b) => b.value.payload)).toContain('q:stop');
      const answered = await c.say({ text: options[0]!.title, value: options[0]!.value });
      expect(text(answered)).toMatch(/✅ Tačno!|❌ Nije tačno/);
      expect(text(answered)).toContain('2 od 5');
      const stopped = await c.say({ text: 'Prekini kviz', value: { payload: 'q:stop' } } as Partial<Activity>);
      expect(text(stopped)).toContain('Kviz je prekinut');
    } finally {
      c.close();
    }
  });

  it('greets on the join event in the page language', async () => {
    const c = await connect(true);
    try {
      const hello = await c.say({ type: 'event', name: 'webchat/join', value: { lang: 'sr-Latn', source: 'test-page' } } as Partial<Activity>);
      expect(text(hello)).toContain('Zdravo');
    } finally {
      c.close();
    }
  });
});

describe('Direct Line protocol', () => {
  const post = (path: string, token: string, body?: unknown) =>
    fetch(`${url}/v3/directline${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  const get = (path: string, token: string) => fetch(`${url}/v3/directline${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses the token of one conversation for another', async () => {
    const a = await newToken();
    const b = await newToken();
    expect((await get(`/conversations/${b.conversationId}/activities`, a.token)).status).toBe(403);
    expect((await post(`/conversations/${b.conversationId}/activities`, a.token, { type: 'message', text: 'hi' })).status).toBe(403);
    expect((await get(`/conversations/${a.conversationId}/activities`, a.token)).status).toBe(200);
  });

  it('refuses forged and missing tokens, and a stream without a valid token', async () => {
    const { conversationId, token } = await newToken();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await get(`/conversations/${conversationId}/activities`, forged)).status).toBe(403);
    expect((await fetch(`${url}/v3/directline/conversations/${conversationId}/activities`)).status).toBe(403);
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/v3/directline/conversations/${conversationId}/stream?t=${forged}`);
      ws.on('close', (c) => resolve(c));
    });
    expect(code).toBe(4403);
  });

  it('answers a retried activity once', async () => {
    const { conversationId, token } = await newToken();
    await post('/conversations', token);
    const activity = { type: 'message', text: 'budget?', from: { id: 'u' }, channelData: { clientActivityID: 'retry-1' } };
    const first = (await (await post(`/conversations/${conversationId}/activities`, token, activity)).json()) as { id: string };
    const second = (await (await post(`/conversations/${conversationId}/activities`, token, activity)).json()) as { id: string };
    expect(second.id).toBe(first.id);
    const { activities } = (await (await get(`/conversations/${conversationId}/activities`, token)).json()) as { activities: { from: { role: string } }[] };
    expect(activities.filter((a) => a.from.role === 'user')).toHaveLength(1);
    expect(activities.filter((a) => a.from.role === 'bot')).toHaveLength(1);
  });

  it('pages activities by watermark', async () => {
    const { conversationId, token } = await newToken();
    await post(`/conversations/${conversationId}/activities`, token, { type: 'message', text: 'hello', from: { id: 'u' } });
    const all = (await (await get(`/conversations/${conversationId}/activities`, token)).json()) as { activities: unknown[]; watermark: string };
    expect(all.activities).toHaveLength(2);
    const none = (await (await get(`/conversations/${conversationId}/activities?watermark=${all.watermark}`, token)).json()) as { activities: unknown[] };
    expect(none.activities).toHaveLength(0);
  });

  it('refreshes a token, and needs the secret to generate one', async () => {
    const { conversationId, token } = await newToken();
    const refreshed = (await (await post('/tokens/refresh', token)).json()) as { conversationId: string; token: string };
    expect(refreshed.conversationId).toBe(conversationId);
    expect((await get(`/conversations/${conversationId}/activities`, refreshed.token)).status).toBe(200);
    expect((await post('/tokens/generate', token)).status).toBe(403);
  });

  it('lets a back end with the secret generate tokens', async () => {
    const secret = 'a-direct-line-secret-for-tests';
    const { app: other, url: otherUrl } = await startApp({ DIRECTLINE_SECRET: secret });
    try {
      const res = await fetch(`${otherUrl}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { token: string }).token).toMatch(/^ey/);
    } finally {
      await other.close();
    }
  });

  it('expires tokens', async () => {
    const { app: other, url: otherUrl } = await startApp({ DIRECTLINE_TOKEN_TTL_SECONDS: '1' });
    try {
      const { token, conversationId } = (await (await fetch(`${otherUrl}/api/webchat/token`, { method: 'POST' })).json()) as { token: string; conversationId: string };
      await new Promise((r) => setTimeout(r, 2100));
      const res = await fetch(`${otherUrl}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(403);
    } finally {
      await other.close();
    }
  });
});
