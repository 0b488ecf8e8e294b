import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/dialogue/assistant.js';
import { PROJECT_ROOT, loadKnowledgeOrThrow } from '../../src/knowledge/load.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { browserAvailable, browserRequired, launchChromium, warnIfNoBrowser } from '../support/browser.js';

/**
 * What opening the chat costs a phone's data plan (issue 13, item 2): from pressing the launcher on another site's
 * page to a text box that takes a question and shows the answer, at most 300 kB on the wire with a cold cache, and
 * (almost) nothing the second time, since Web Chat is served under its content hash to be kept for a year.
 */
warnIfNoBrowser('web chat size tests');

const BUDGET = 300_000;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const WEB_CHAT = /\/webchat\/webchat\.[0-9a-f]{12}\.js$/;

/** The bundle as built now (the build is skipped when nothing changed). */
function manifest(): { file: string; gzip: number; brotli: number } {
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts/build-webchat.mjs')], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'dist/webchat/manifest.json'), 'utf8')) as { file: string; gzip: number; brotli: number };
}

function hostPage(botUrl: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Basketball Prizren 2027</title></head>
<body><h1>Basketball Prizren 2027</h1>
<script src="${botUrl}/embed.js" data-lang="sq" data-source="basketball-prizren-2027" async></script></body></html>`;
}

interface Transfer {
  url: string;
  /** Bytes received for it: headers and the body as sent (compressed). */
  bytes: number;
  /** The body's bytes (0 when the browser's cache had it). */
  body: number;
  encoding: string;
  cacheControl: string;
}

describe('the Web Chat bundle on the server', () => {
  let app: FastifyInstance | undefined;
  let file = '';

  beforeAll(async () => {
    file = manifest().file;
    app = await buildApp({ config: loadConfig({ ...process.env, LOG_LEVEL: 'silent' }), assistant: new Assistant(loadKnowledgeOrThrow()) });
  });
  afterAll(async () => app?.close());

  it('the page names the current build; the build is precompressed, immutable, and nothing else is served there', async () => {
    const page = await app!.inject({ url: '/', headers: { 'accept-encoding': 'identity' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain(`<script src="/webchat/${file}" id="webchat-script" defer>`);
    expect(page.body).not.toContain('/webchat/webchat.js"');
    // The page is checked, not downloaded again, while it has not changed.
    const again = await app!.inject({ url: '/', headers: { 'if-none-match': String(page.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    for (const [accept, encoding, suffix] of [['br, gzip', 'br', '.br'], ['gzip', 'gzip', '.gz']] as const) {
      const script = await app!.inject({ url: `/webchat/${file}`, headers: { 'accept-encoding': accept } });
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-encoding']).toBe(encoding);
      expect(String(script.headers.vary)).toMatch(/accept-encoding/i);
      expect(script.headers['cache-control']).toBe(IMMUTABLE);
      expect(script.headers['content-type']).toMatch(/javascript/);
      expect(script.rawPayload.equals(readFileSync(join(PROJECT_ROOT, 'dist/webchat', file + suffix)))).toBe(true);
    }
    const plain = await app!.inject({ url: `/webchat/${file}`, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('window.WebChat');

    for (const url of ['/webchat/webchat.js', '/webchat/manifest.json', `/webchat/${file}.gz`, '/webchat/../package.json'])
      expect((await app!.inject({ url })).statusCode, url).toBe(404);
  });

  it('is a light build: no Adaptive Cards, no speech, no other languages, React in its production build', () => {
    const { gzip } = manifest();
    const code = readFileSync(join(PROJECT_ROOT, 'dist/webchat', file), 'utf8');
    expect(gzip).toBeLessThan(260_000);
    expect(code).not.toMatch(/AdaptiveCard|microsoft-cognitiveservices|SpeechRecognizer/);
    expect(code).not.toContain('Verbunden'); // de-DE's "Connected"
    expect(code).toContain('Повезано'); // sr-Cyrl's, kept
    expect(code).not.toContain('react-dom.development');
    expect(code).not.toMatch(/Warning: React\.createElement: type is invalid/);
  });
});

describe.runIf(browserAvailable || browserRequired)('opening the chat in Chromium: bytes on the wire', () => {
  let browser: Browser | undefined;
  let app: FastifyInstance | undefined;
  let host: Server | undefined;
  let botUrl = '';
  let hostUrl = '';
  /** The server's log, one line per request: what reached it. */
  const requests: string[] = [];

  beforeAll(async () => {
    manifest();
    host = createServer((request, response) => {
      if (request.url !== '/') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(botUrl));
    });
    await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    app = await buildApp({
      config: loadConfig({ ...process.env, ALLOWED_ORIGINS: hostUrl, LOG_LEVEL: 'debug' }),
      assistant: new Assistant(loadKnowledgeOrThrow()),
      logStream: { write: (line: string) => void requests.push(line) },
    });
    botUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (host) await new Promise((resolve) => host!.close(resolve));
  });

  /**
   * Loads the host page, then counts what the browser receives from pressing the launcher until a typed question
   * has its answer: every response (headers and encoded body, as Chromium's network stack reports them, in every
   * frame) and the WebSocket frames.
   */
  async function openChat(page: Page): Promise<Transfer[]> {
    await page.goto(hostUrl, { waitUntil: 'networkidle' });
    // Playwright's sizes, from Chromium's network events, in every frame (the chat's frame is another origin, in
    // its own process): headers and body as received (compressed); a response the cache gave has no body bytes
    // (Chromium reports no headers for it either, so Playwright counts the stored ones: an overestimate).
    const transfers: Transfer[] = [];
    const pending: Promise<void>[] = [];
    page.on('requestfinished', (request) => {
      pending.push(
        (async () => {
          const response = await request.response();
          const sizes = await request.sizes();
          const headers = response ? await response.allHeaders() : {};
          transfers.push({
            url: request.url(),
            bytes: Math.max(0, sizes.responseHeadersSize) + Math.max(0, sizes.responseBodySize),
            body: Math.max(0, sizes.responseBodySize),
            encoding: headers['content-encoding'] ?? '',
            cacheControl: headers['cache-control'] ?? '',
          });
        })(),
      );
    });
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const bytes = Buffer.byteLength(payload);
        transfers.push({ url: 'WebSocket', bytes, body: bytes, encoding: 'ws', cacheControl: '' });
      });
    });
    await page.getByRole('button', { name: /OSBE/ }).click();
    const chat = page.frameLocator('iframe');
    const input = chat.locator('#webchat').getByRole('textbox');
    await input.fill('ku jane zyrat e misionit?');
    await input.press('Enter');
    await chat.locator('#webchat').getByText('Pejë/Peć').first().waitFor({ timeout: 15_000 });
    await Promise.all(pending);
    return transfers;
  }

  const total = (transfers: Transfer[]) => transfers.reduce((sum, t) => sum + t.bytes, 0);
  const table = (transfers: Transfer[]) =>
    transfers.map((t) => `${String(t.bytes).padStart(8)}  ${t.encoding.padEnd(5)} ${t.url.replace(botUrl, '').slice(0, 60)}`).join('\n');

  it(`costs at most ${BUDGET / 1000} kB with a cold cache, and almost nothing the second time`, async () => {
    let context: BrowserContext | undefined;
    try {
      context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      const cold = await openChat(await context.newPage());
      const webChat = cold.filter((t) => WEB_CHAT.test(t.url));
      expect(webChat, table(cold)).toHaveLength(1);
      expect(webChat[0]!.cacheControl).toBe(IMMUTABLE);
      expect(['br', 'gzip']).toContain(webChat[0]!.encoding);
      console.log(`cold cache (${webChat[0]!.encoding}): ${total(cold)} bytes from pressing the launcher to an answer\n${table(cold)}`);
      expect(total(cold), table(cold)).toBeLessThanOrEqual(BUDGET);

      // Another page of the same site, later: the same browser cache, which does not even ask for Web Chat again.
      requests.length = 0;
      const warm = await openChat(await context.newPage());
      expect(requests.filter((line) => line.includes('"url":"/webchat/') || line.includes('"url":"/static/'))).toEqual([]);
      expect(requests.filter((line) => line.includes('/api/webchat/token')).length).toBe(1);
      console.log(`warm cache: ${total(warm)} bytes (cached responses counted with their stored headers)\n${table(warm)}`);
      expect(warm.filter((t) => WEB_CHAT.test(t.url) && t.body > 0), table(warm)).toEqual([]);
      expect(total(warm), table(warm)).toBeLessThanOrEqual(30_000);
    } finally {
      await context?.close();
    }
  }, 40_000);

  it(`costs at most ${BUDGET / 1000} kB too where the browser takes only gzip (no brotli over plain http)`, async () => {
    let context: BrowserContext | undefined;
    try {
      context = await browser!.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, extraHTTPHeaders: { 'accept-encoding': 'gzip, deflate' } });
      const cold = await openChat(await context.newPage());
      const webChat = cold.filter((t) => WEB_CHAT.test(t.url));
      expect(webChat.map((t) => t.encoding), table(cold)).toEqual(['gzip']);
      console.log(`cold cache (gzip): ${total(cold)} bytes\n${table(cold)}`);
      expect(total(cold), table(cold)).toBeLessThanOrEqual(BUDGET);
    } finally {
      await context?.close();
    }
  }, 40_000);
});
