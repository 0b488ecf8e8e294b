import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { Metrics } from '../../src/server/metrics.js';
import { Analytics } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { assistant } from '../support/engine.js';

/**
 * What the security audit (issue 12) found at the edge of the server: trusted proxies, the staff and metrics
 * tokens, what the log holds, and one error shape everywhere.
 */
const STAFF = 'staff-token-Zq8vW3kP0xR7nL2mB5cT9yH4';
const METRICS = 'metrics-token-4fQ9zL1xV8cN3bR6tY2wK7mP';

async function server(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const analytics = new Analytics(openDatabase(':memory:'), 90);
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'debug', ...env }),
    assistant: assistant({ observers: [analytics] }),
    analytics,
    metrics: new Metrics(),
    logStream: { write: (l) => void lines.push(l) },
  });
  return { app, log: () => lines.join(''), lines };
}

describe('trusted proxies', () => {
  it('refuses "true" (every hop), and takes a hop count or the proxies\' addresses', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: give the number of proxies/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.5,not-an-address' })).toThrow(ConfigError);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16' }).TRUST_PROXY).toEqual(['10.0.0.5', '10.1.0.0/16']);
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
  });

  it('takes the address the trusted proxy saw, whatever a client writes before it', async () => {
    // Behind one proxy, a client sending "X-Forwarded-For: 1.2.3.4" gets "1.2.3.4, <its real address>": only the
    // last entry, added by the proxy, counts. Four conversations a minute: the fifth is refused however the client
    // varies the part it controls.
    const { app } = await server({ TRUST_PROXY: '1', CONVERSATIONS_PER_MINUTE: '4' });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const forged = `198.51.100.${i}, 203.0.113.7`;
      codes.push((await app.inject({ method: 'POST', url: '/api/webchat/token', headers: { 'x-forwarded-for': forged } })).statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
    // Another client behind the same proxy is not held back by the first.
    expect((await app.inject({ method: 'POST', url: '/api/webchat/token', headers: { 'x-forwarded-for': '203.0.113.8' } })).statusCode).toBe(200);
    await app.close();
  });
});

describe('the staff token', () => {
  it('must be long and random', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'x'.repeat(16) })).toThrow(/ADMIN_TOKEN: at least 32 random characters/);
    expect(() => loadConfig({ ADMIN_TOKEN: 'abababababababababababababababababab' })).toThrow(ConfigError);
    expect(loadConfig({ ADMIN_TOKEN: STAFF }).ADMIN_TOKEN).toBe(STAFF);
  });

  it('cannot be guessed: an address that sends wrong tokens must wait, and is logged without flooding', async () => {
    const { app, lines } = await server({ ADMIN_TOKEN: STAFF });
    const guess = (token: string, ip = '192.0.2.1') =>
      app.inject({ url: '/admin/api/report?days=7', headers: { authorization: `Bearer ${token}` }, remoteAddress: ip });
    const codes: number[] = [];
    for (let i = 0; i < 30; i++) codes.push((await guess(`guess-${i}-${'z'.repeat(30)}`)).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10).every((c) => c === 429)).toBe(true);
    // Even the right token waits once the address is stopped; another address is not held back.
    const stopped = await guess(STAFF);
    expect(stopped.statusCode).toBe(429);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(60);
    expect((await guess(STAFF, '192.0.2.2')).statusCode).toBe(200);
    const warnings = lines.filter((l) => l.includes('wrong staff token'));
    expect(warnings.length).toBe(2);
    await app.close();
  });
});

describe('metrics', () => {
  it('are off without METRICS_TOKEN, and need it when set', async () => {
    const off = await server();
    expect((await off.app.inject('/metrics')).statusCode).toBe(404);
    await off.app.close();
    const on = await server({ METRICS_TOKEN: METRICS });
    expect((await on.app.inject('/metrics')).statusCode).toBe(401);
    const ok = await on.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('process_resident_memory_bytes');
    await on.app.close();
  });
});

describe('errors and logs', () => {
  const shape = { error: { code: expect.any(String), message: expect.any(String) } };

  it('answers bad JSON on every API in one shape, without internals', async () => {
    const { app } = await server();
    const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
    for (const [url, auth] of [
      [`/v3/directline/conversations/${conversationId}/activities`, `Bearer ${token}`],
      ['/api/messages', undefined],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, payload: '{"type": "message", ', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual(shape);
      expect(res.json().error.code).toBe('BadRequest');
      expect(res.body).not.toMatch(/at \w+ \(|node_modules|SyntaxError/);
    }
    const missing = await app.inject('/no/such/page');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual(shape);
    await app.close();
  });

  it('logs one line per request, without query strings, and no stack traces for refusals', async () => {
    const { app, log, lines } = await server({ CONVERSATIONS_PER_MINUTE: '1' });
    await app.inject('/nothing?token=abc.def.ghi&email=ana@example.org');
    await app.inject({ method: 'POST', url: '/api/webchat/token' });
    const before = lines.length;
    await app.inject({ method: 'POST', url: '/api/webchat/token' }); // 429
    expect(lines.length - before).toBe(1);
    const text = log();
    expect(text).not.toContain('abc.def.ghi');
    expect(text).not.toContain('ana@example.org');
    expect(text).not.toMatch(/"stack"/);
    expect(text).toMatch(/"statusCode":429/);
    await app.close();
  });
});
