import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { assistant } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

describe('the HTTP service', () => {
  it('reports liveness and readiness', async () => {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), assistant: assistant() });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready' });
    await app.close();
  });

  it('sends security headers with the page, and lets only the allowed origins frame it or call the API', async () => {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ALLOWED_ORIGINS: 'https://www.osce.org' }), assistant: assistant() });
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self' https://www.osce.org");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const allowed = await app.inject({ method: 'POST', url: '/api/webchat/token', headers: { origin: 'https://www.osce.org' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://www.osce.org');
    const other = await app.inject({ method: 'POST', url: '/api/webchat/token', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const embed = await app.inject('/embed.js');
    expect(embed.statusCode).toBe(200);
    expect(embed.headers['cross-origin-resource-policy']).toBe('cross-origin');
    // Web Chat under the name of its current build (scripts/build-webchat.mjs), which the page gives.
    const webChat = /src="(\/webchat\/webchat\.[0-9a-f]{12}\.js)"/.exec(page.body)?.[1];
    expect((await app.inject(webChat ?? '/webchat/webchat.js')).statusCode).toBe(200);
    expect((await app.inject('/webchat/stats.json')).statusCode).toBe(404);
    await app.close();
  });

  it('keeps tokens and message text out of its logs', async () => {
    const lines: string[] = [];
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'trace' }), assistant: assistant(), logStream: { write: (l) => void lines.push(l) } });
    const { token, conversationId } = (await app.inject({ method: 'POST', url: '/api/webchat/token' })).json<{ token: string; conversationId: string }>();
    await app.inject({
      method: 'POST',
      url: `/v3/directline/conversations/${conversationId}/activities`,
      headers: { authorization: `Bearer ${token}` },
      payload: { type: 'message', text: 'my secret question about salaries', from: { id: 'u' } },
    });
    await app.inject({ url: `/v3/directline/conversations/${conversationId}/activities?watermark=0&t=${token}`, headers: { authorization: `Bearer ${token}` } });
    await app.close();
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(token);
    expect(log).not.toContain('secret question');
  });

  it('refuses a bad environment, naming each problem without echoing values', () => {
    expect(() => loadConfig({ PORT: 'eighty', DIRECTLINE_SECRET: 'short', PUBLIC_URL: 'not a url' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DIRECTLINE_SECRET: 'short' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/DIRECTLINE_SECRET/);
      expect((error as Error).message).not.toContain('short');
    }
  });

  it('starts with `npm start` and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: tempDir('start') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 45_000);
      child.stdout.on('data', () => {
        const m = /"address":"(http:\/\/[^"]+)"/.exec(out);
        if (m) (clearTimeout(timer), resolve(m[1]!));
      });
    });
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('shutting down');
  });
});

describe('the README', () => {
  it('documents every environment variable the server reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { ConfigSchema } = await import('../../src/server/config.js');
    const readme = readFileSync(`${PROJECT_ROOT}/README.md`, 'utf8');
    for (const key of Object.keys(ConfigSchema.shape)) expect(readme, key).toContain(`| \`${key}\` |`);
  });
});
