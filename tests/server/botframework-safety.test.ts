import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTGOING, type BotFrameworkSettings } from '../../src/channels/botframework/adapter.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { assistant } from '../support/engine.js';

/**
 * An address of this machine that is not loopback: what an attacker's serviceUrl looks like to the server (it
 * could be anywhere in the network), while the test can still see whether anything was posted there.
 */
const EXTERNAL = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

interface StandIn {
  url: string;
  /** Bodies of the requests received. */
  posts: Record<string, unknown>[];
  connections: number;
  /** Most connections open at once. */
  peak: number;
  /** Connections the client has closed so far. */
  closed: number;
  server: Server;
}

const servers: Server[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A stand-in channel (connector service) on `host`; `answer: false` accepts requests and never answers them. */
async function standIn(host: string, answer: boolean | ((req: IncomingMessage, res: ServerResponse) => void) = true): Promise<StandIn> {
  const s: Omit<StandIn, 'url' | 'server'> = { posts: [], connections: 0, peak: 0, closed: 0 };
  let open = 0;
  const server = createServer((req, res) => {
    if (typeof answer === 'function') return answer(req, res);
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      s.posts.push(data ? (JSON.parse(data) as Record<string, unknown>) : {});
      if (answer) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `reply-${s.posts.length}` }));
    });
  });
  server.on('connection', (socket: Socket) => {
    s.connections++;
    s.peak = Math.max(s.peak, ++open);
    socket.on('close', () => {
      open--;
      s.closed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return Object.assign(s, { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
}

/** The real app on a loopback port, its warnings and errors collected; `extra` reaches botbuilder's settings. */
async function start(env: Record<string, string> = {}, extra: BotFrameworkSettings = {}) {
  const lines: string[] = [];
  const config = Object.assign(loadConfig({ LOG_LEVEL: 'warn', ...env }), extra);
  const app = await buildApp({ config, assistant: assistant(), logStream: { write: (l) => void lines.push(l) } });
  apps.push(app);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  /** POSTs an activity; never waits more than `waitMs` (the old code could wait for more than ten minutes). */
  const post = async (body: unknown, headers: Record<string, string> = {}, waitMs = 20_000) => {
    const started = Date.now();
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(waitMs),
    });
    const text = await res.text();
    // botbuilder used to answer some refusals in plain text: not JSON, kept as text for the assertions to show.
    const json: unknown = text.startsWith('{') ? JSON.parse(text) : text;
    return { status: res.status, text, json, ms: Date.now() - started };
  };
  return { post, lines, logs: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; [k: string]: unknown }) };
}

const activity = (serviceUrl: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: `act-${Math.random().toString(36).slice(2)}`,
  channelId: 'emulator',
  serviceUrl,
  from: { id: 'user-1', name: 'User' },
  recipient: { id: 'bot', name: 'Bot' },
  conversation: { id: `conv-${Math.random().toString(36).slice(2)}` },
  text: 'what is your email? my private question',
  ...extra,
});

describe('without app credentials, /api/messages posts only where the operator allowed', () => {
  // Skipped only on a machine with no network interface but loopback: the attacker's address needs one.
  it.skipIf(!EXTERNAL)('refuses a serviceUrl elsewhere in the network: 403, nothing posted, one log line naming the settings', async () => {
    const attacker = await standIn(EXTERNAL!);
    const { post, logs } = await start();
    const res = await post(activity(`${attacker.url}/v3/?token=secret-value`));
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: { code: 'Forbidden', message: expect.stringContaining('BOT_SERVICE_URLS') } });
    expect(attacker.connections).toBe(0);
    const refusals = logs().filter((l) => l.msg.includes('refused'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.msg).toMatch(/BOT_SERVICE_URLS.*MicrosoftAppId/);
    expect(refusals[0]!.serviceUrl).toBe(attacker.url);
    const all = JSON.stringify(logs());
    expect(all).not.toContain('secret-value');
    expect(all).not.toContain('private question');
  });

  it('refuses what is not an http(s) URL, and 0.0.0.0, without calling out', async () => {
    const { post } = await start();
    for (const serviceUrl of ['file:///etc/passwd', 'not a url', 'http://0.0.0.0:9/', 'http://[::ffff:10.0.0.1]:9/', 'http://localhost.example.org/'])
      expect((await post(activity(serviceUrl))).status).toBe(403);
  });

  it.skipIf(!EXTERNAL)('answers the same address once its origin is in BOT_SERVICE_URLS', async () => {
    const service = await standIn(EXTERNAL!);
    const { post } = await start({ BOT_SERVICE_URLS: `https://bots.example.org, ${service.url}` });
    expect((await post(activity(service.url))).status).toBe(200);
    expect(service.posts).toHaveLength(1);
    expect(service.posts[0]!.text).toContain('press.omik@osce.org');
  });

  it('answers the Emulator on this machine: localhost and any 127.x address', async () => {
    const emulator = await standIn('127.0.0.1');
    const { post } = await start();
    const port = new URL(emulator.url).port;
    expect((await post(activity(`http://localhost:${port}`))).status).toBe(200);
    expect((await post(activity(`http://127.0.0.1:${port}`))).status).toBe(200);
    expect(emulator.posts).toHaveLength(2);
  });

  it('fails to start on a BOT_SERVICE_URLS entry that is not an origin, naming the setting', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'silent', BOT_SERVICE_URLS: 'https://ok.example.org,https://bad.example.org/path?x=1' })).toThrow(
      /BOT_SERVICE_URLS\.1: an origin like https:\/\/bots\.example\.org/,
    );
  });
});

describe('replies to a channel are bounded', () => {
  it('a serviceUrl that never answers holds the request no longer than the timeout, and gets no apology on top', async () => {
    const silent = await standIn('127.0.0.1', false);
    const { post, logs } = await start();
    const res = await post(activity(silent.url));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(OUTGOING.timeoutMs + 5_000);
    // One call, closed by the bot at its deadline: no socket left waiting, no second call to apologise.
    await expect.poll(() => silent.closed, { timeout: 5_000 }).toBe(silent.connections);
    expect(silent.connections).toBe(1);
    expect(logs().filter((l) => l.msg === 'Bot Framework reply not delivered')).toHaveLength(1);
  });

  it('many such requests open no more than a few sockets, and all end within the timeout', async () => {
    const silent = await standIn('127.0.0.1', false);
    const { post } = await start();
    const results = await Promise.all(Array.from({ length: OUTGOING.maxSockets * 3 }, () => post(activity(silent.url))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(OUTGOING.timeoutMs + 5_000);
    expect(silent.peak).toBeLessThanOrEqual(OUTGOING.maxSockets);
    await expect.poll(() => silent.closed, { timeout: 5_000 }).toBe(silent.connections);
  });

  it('a conversation update with 200 members is answered with one greeting, not 200', async () => {
    const emulator = await standIn('127.0.0.1');
    const { post } = await start();
    const members = [{ id: 'bot' }, ...Array.from({ length: 200 }, (_, i) => ({ id: `member-${i}` }))];
    const res = await post({ ...activity(emulator.url), type: 'conversationUpdate', text: undefined, locale: 'en', membersAdded: members });
    expect(res.status).toBe(200);
    expect(emulator.posts).toHaveLength(1);
  });
});

describe('with app credentials, a forged token gets a clean refusal', () => {
  const APP_ID = '00000000-0000-0000-0000-000000000001';
  const ISSUER = 'https://api.botframework.com';
  const credentials = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppType: 'MultiTenant' };

  /** A token shaped like Azure Bot Service's, signed with a key that is not the identity provider's. */
  async function forgedToken(kid: string, serviceUrl: string): Promise<string> {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT({ serviceurl: serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setAudience(APP_ID)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  }

  /** Nothing from botbuilder or the network in the body: only our code and message. */
  const clean = (text: string) => {
    for (const inside of ['signature', 'Signing', 'openID', 'FetchError', 'ECONNREFUSED', '127.0.0.1', 'Unauthorized.', '    at '])
      expect(text).not.toContain(inside);
  };

  it('401 with a plain body when the signature does not match the provider keys', async () => {
    const target = await standIn('127.0.0.1');
    // The identity provider's stand-in: OpenID metadata and keys, none of which signed the forged token.
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig' };
    const provider = await standIn('127.0.0.1', (req, res) => {
      const body = req.url === '/keys' ? { keys: [jwk] } : { issuer: ISSUER, jwks_uri: `${provider.url}/keys` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const { post, logs } = await start(credentials, { ToBotFromChannelOpenIdMetadataUrl: `${provider.url}/openid`, ToBotFromChannelTokenIssuer: ISSUER });
    const res = await post(activity(target.url, { channelId: 'msteams' }), { authorization: `Bearer ${await forgedToken('k1', target.url)}` });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    clean(res.text);
    expect(target.connections).toBe(0);
    expect(logs().filter((l) => l.msg === 'Bot Framework request not authenticated')).toHaveLength(1);
  });

  it('503 with a plain body when the identity provider cannot be reached', async () => {
    const target = await standIn('127.0.0.1');
    // A port that was just free: nothing listens there.
    const gone = await standIn('127.0.0.1');
    gone.server.close();
    const { post, logs } = await start(credentials, { ToBotFromChannelOpenIdMetadataUrl: `${gone.url}/openid`, ToBotFromChannelTokenIssuer: ISSUER });
    const res = await post(activity(target.url, { channelId: 'msteams' }), { authorization: `Bearer ${await forgedToken('k1', target.url)}` });
    expect(res.status).toBe(503);
    expect(res.json).toEqual({ error: { code: 'ServiceUnavailable', message: expect.any(String) } });
    clean(res.text);
    expect(target.connections).toBe(0);
    expect(logs().filter((l) => l.level >= 50 && /identity provider/.test(l.msg))).toHaveLength(1);
  });

  it('401 for a token that is no JWT at all, and for none', async () => {
    const target = await standIn('127.0.0.1');
    const { post } = await start(credentials);
    const headers: Record<string, string>[] = [{ authorization: 'Bearer not-a-token' }, {}];
    for (const header of headers) {
      const res = await post(activity(target.url), header);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
      clean(res.text);
    }
    expect(target.connections).toBe(0);
  });
});
