import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../support/server.js';

/** A stand-in for the Bot Framework connector service: records the activities the bot sends back. */
function standInConnector(): Promise<{ server: Server; url: string; received: { path: string; body: Record<string, unknown> }[] }> {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: data ? (JSON.parse(data) as Record<string, unknown>) : {} });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `reply-${received.length}` }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })));
}

let app: FastifyInstance;
let connector: Awaited<ReturnType<typeof standInConnector>>;
beforeAll(async () => {
  ({ app } = await startApp());
  connector = await standInConnector();
});
afterAll(async () => {
  await app.close();
  connector.server.close();
});

const activity = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: `act-${Math.random().toString(36).slice(2)}`,
  channelId: 'emulator',
  serviceUrl: connector.url,
  from: { id: 'user-1', name: 'User' },
  recipient: { id: 'bot', name: 'Bot' },
  conversation: { id: 'conv-1' },
  text,
  ...extra,
});

describe('/api/messages as the Bot Framework Emulator uses it', () => {
  it('answers at the connector with markdown text, suggested actions and the contact card', async () => {
    connector.received.length = 0;
    const sent = activity('what is your email?', { locale: 'en-US' });
    const res = await app.inject({ method: 'POST', url: '/api/messages', payload: sent });
    expect(res.statusCode).toBe(200);
    expect(connector.received).toHaveLength(1);
    const { path, body } = connector.received[0]!;
    expect(path).toBe(`/v3/conversations/conv-1/activities/${sent.id}`);
    expect(body).toMatchObject({ type: 'message', textFormat: 'markdown', locale: 'en', replyToId: sent.id });
    expect(body.text).toContain('press.omik@osce.org');
    const actions = (body.suggestedActions as { actions: { type: string; title: string; value: { payload: string } }[] }).actions;
    expect(actions.map((a) => a.title)).toContain('Topics');
    expect(actions[0]).toMatchObject({ type: 'messageBack', value: { payload: expect.stringMatching(/^i:/) } });
    const card = (body.attachments as { contentType: string; content: { buttons: { type: string; value: string }[] } }[])[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(card.content.buttons.map((b) => b.value)).toContain('mailto:press.omik@osce.org');
  });

  it('takes the conversation language from activity.locale when the text cannot tell', async () => {
    connector.received.length = 0;
    await app.inject({ method: 'POST', url: '/api/messages', payload: activity('ok', { locale: 'sq-AL', conversation: { id: 'conv-2' } }) });
    expect(connector.received[0]!.body.locale).toBe('sq');
  });

  it('follows a pressed button (messageBack payload)', async () => {
    connector.received.length = 0;
    await app.inject({ method: 'POST', url: '/api/messages', payload: activity('Buxheti', { value: { payload: 'i:budget' }, locale: 'sq', conversation: { id: 'conv-3' } }) });
    expect(connector.received[0]!.body.text).toContain('17.510.500 euro');
  });

  it('greets members who join, not the bot itself', async () => {
    connector.received.length = 0;
    await app.inject({
      method: 'POST',
      url: '/api/messages',
      payload: { ...activity(''), type: 'conversationUpdate', locale: 'sr-Cyrl', membersAdded: [{ id: 'bot' }, { id: 'user-1' }], conversation: { id: 'conv-4' } },
    });
    expect(connector.received).toHaveLength(1);
    expect(connector.received[0]!.body.text).toContain('Здраво');
  });

  it('refuses what is not an activity', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/messages', payload: { hello: 'world' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/messages' })).statusCode).toBe(404);
  });

  it('requires authentication once an app id is configured', async () => {
    const { app: secured } = await startApp({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'x', MicrosoftAppType: 'MultiTenant' });
    try {
      const res = await secured.inject({ method: 'POST', url: '/api/messages', payload: activity('hello') });
      expect(res.statusCode).toBe(401);
    } finally {
      await secured.close();
    }
  });
});
