import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS, CSP_REPORTER, browserAvailable, browserRequired, launchChromium, warnIfNoBrowser } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/dialogue/assistant.js';
import { loadKnowledgeOrThrow } from '../../src/knowledge/load.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';

/**
 * The web channel end to end in a real browser: a third-party page with the one-line embed snippet, the launcher,
 * the chat page in its iframe, Microsoft's Web Chat, our Direct Line over a WebSocket, and the assistant.
 * Needs Debian's Chromium at /usr/bin/chromium; skipped without it unless REQUIRE_BROWSER=1 (CI), which fails.
 */
warnIfNoBrowser('browser tests');

const LAUNCHER_SQ = 'Bisedoni me Misionin e OSBE-së në Kosovë';
const FRAME_TITLE_SQ = 'Asistenti i Misionit të OSBE-së në Kosovë';

/** The little of the DOM these tests read inside the browser (the project compiles without lib.dom). */
interface Box {
  scrollWidth: number;
  clientWidth: number;
  ownerDocument: { body: { scrollWidth: number } };
}

/** A page of another site embedding the chat, with styles that would leak into a careless widget. */
function hostPage(botUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Basketball Prizren 2027</title>
<style>body { font: 28px/1.2 serif; color: #c00; } button, div, iframe { background: lime; border: 4px dashed green; padding: 20px; }</style>
</head><body><h1>Basketball Prizren 2027</h1><p>Tickets, venues and the programme.</p>
<script src="${botUrl}/embed.js" data-lang="sq" data-source="basketball-prizren-2027" async></script>
</body></html>`;
}

describe.runIf(browserAvailable || browserRequired)('web chat in Chromium (embed.js → iframe → Web Chat → Direct Line)', () => {
  let browser: Browser | undefined;
  let app: FastifyInstance | undefined;
  let host: Server | undefined;
  let botUrl = '';
  let hostUrl = '';
  /** Content-Security-Policy violations and other console errors, in every frame of every page. */
  const problems: string[] = [];

  beforeAll(async () => {
    // The host site first: the chat's frame-ancestors must name its origin.
    host = createServer((request, response) => {
      if (request.url === '/favicon.ico') return void response.writeHead(204).end();
      if (request.url !== '/') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(botUrl));
    });
    await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;

    app = await buildApp({
      config: loadConfig({ ...process.env, ALLOWED_ORIGINS: hostUrl, LOG_LEVEL: 'silent' }),
      assistant: new Assistant(loadKnowledgeOrThrow()),
    });
    botUrl = await app.listen({ port: 0, host: '127.0.0.1' });

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (host) await new Promise((resolve) => host!.close(resolve));
  });

  async function open(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; botRequests: string[] }> {
    const context = await browser!.newContext({ locale: 'de-DE', ...options });
    await context.addInitScript({ content: CSP_REPORTER });
    const page = await context.newPage();
    const botRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(botUrl)) botRequests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content.Security.Policy|CSP/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(hostUrl, { waitUntil: 'networkidle' });
    return { context, page, botRequests };
  }

  /** Waits until the chat's transcript shows `text` and returns the transcript's text. */
  async function transcriptShows(chat: FrameLocator, text: string, count = 1): Promise<string> {
    const transcript = chat.locator('#webchat .webchat__basic-transcript');
    await transcript.getByText(text, { exact: false }).nth(count - 1).waitFor({ timeout: 10_000 });
    return (await transcript.textContent()) ?? '';
  }

  const suggested = (chat: FrameLocator, label: string): Locator => chat.getByRole('toolbar').getByRole('button', { name: label, exact: true });

  it('loads nothing until pressed, then chats in Albanian, follows a button and switches to Serbian Cyrillic', async () => {
    const { context, page, botRequests } = await open({ viewport: { width: 1280, height: 800 } });
    try {
      const launcher = page.getByRole('button', { name: LAUNCHER_SQ });
      await launcher.waitFor();
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
      expect(await launcher.getAttribute('aria-controls')).toBeTruthy();
      expect(await page.locator('iframe').count()).toBe(0);
      // Only the snippet itself and its question whether this page may frame the chat (a few bytes): no Web Chat,
      // no token, no Direct Line before the person asks for the chat.
      expect(botRequests).toEqual([`${botUrl}/embed.js`, `${botUrl}/api/embed/allowed`]);

      await launcher.click();
      expect(await launcher.getAttribute('aria-expanded')).toBe('true');
      const frame = page.locator(`iframe[title="${FRAME_TITLE_SQ}"]`);
      expect(await frame.getAttribute('src')).toBe(`${botUrl}/?embed=1&lang=sq&source=basketball-prizren-2027`);
      const chat = page.frameLocator(`iframe[title="${FRAME_TITLE_SQ}"]`);

      // The greeting, in Albanian, says what it can answer.
      expect(await transcriptShows(chat, 'Përshëndetje!')).toContain('Misionit të OSBE-së në Kosovë');
      expect(await chat.locator('html').getAttribute('lang')).toBe('sq');
      expect(await chat.getByRole('heading', { level: 1 }).textContent()).toBe('Misioni i OSBE-së në Kosovë');
      expect(await chat.getByRole('button', { name: 'Shqip' }).getAttribute('aria-pressed')).toBe('true');
      // Focus went into the chat once it had loaded.
      await page.frame({ url: /embed=1/ })!.waitForFunction('document.hasFocus()', undefined, { timeout: 5_000 });

      // A typed question, without diacritics.
      const input = chat.getByPlaceholder('Shkruani pyetjen tuaj');
      await input.fill('ku jane zyrat e misionit?');
      await input.press('Enter');
      expect(await transcriptShows(chat, 'Pejë/Peć')).toContain('Selia e Misionit është në Prishtinë/Priština');

      // Suggested actions (messageBack): each one gets its own answer.
      await suggested(chat, 'Kontakti').click();
      expect(await transcriptShows(chat, 'mund ta kontaktoni')).toContain('press.omik@osce.org');
      await suggested(chat, 'Zyrat').click();
      await transcriptShows(chat, 'Pejë/Peć', 2);

      // The language switcher: the page, Web Chat's own strings and the repeated answer, all in Cyrillic.
      await chat.getByRole('button', { name: 'Српски (ћирилица)' }).click();
      const cyrillic = await transcriptShows(chat, 'Пећ/Pejë');
      expect(cyrillic).toContain('Седиште Мисије');
      expect(cyrillic).toContain('Përshëndetje!'); // same conversation, re-rendered
      expect(await chat.locator('html').getAttribute('lang')).toBe('sr-Cyrl');
      expect(await chat.getByRole('heading', { level: 1 }).textContent()).toBe('Мисија ОЕБС-а на Косову');
      expect(await chat.getByRole('button', { name: 'Српски (ћирилица)' }).getAttribute('aria-pressed')).toBe('true');
      expect(await chat.getByRole('button', { name: 'Shqip' }).getAttribute('aria-pressed')).toBe('false');
      expect(await chat.getByRole('navigation').getAttribute('aria-label')).toBe('Језик');
      await chat.getByPlaceholder('Упишите своје питање').waitFor();
      await chat.getByRole('button', { name: 'Пошаљи' }).waitFor();
      await chat.getByRole('toolbar', { name: 'Предложене радње' }).waitFor();

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'webchat.png') });

      // Escape (here from the send box inside the iframe) closes the panel and gives focus back to the launcher.
      await chat.getByPlaceholder('Упишите своје питање').press('Escape');
      await frame.waitFor({ state: 'hidden' });
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
      expect(await launcher.evaluate((button: { getRootNode(): { activeElement: unknown } }) => button.getRootNode().activeElement === button)).toBe(true);
      // Opening again shows the same conversation; pressing the launcher again closes it.
      await launcher.click();
      await transcriptShows(chat, 'Пећ/Pejë');
      await launcher.click();
      await frame.waitFor({ state: 'hidden' });

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 20_000);

  it('fits a 360×640 phone: the open panel covers the screen without horizontal scrolling', async () => {
    const { context, page } = await open({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
    try {
      await page.getByRole('button', { name: LAUNCHER_SQ }).click();
      const frame = page.locator(`iframe[title="${FRAME_TITLE_SQ}"]`);
      const chat = page.frameLocator(`iframe[title="${FRAME_TITLE_SQ}"]`);
      await transcriptShows(chat, 'Përshëndetje!');
      const input = chat.getByPlaceholder('Shkruani pyetjen tuaj');
      await input.fill('ku jane zyrat e misionit?');
      await input.press('Enter');
      await transcriptShows(chat, 'Pejë/Peć');

      expect(await frame.boundingBox()).toEqual({ x: 0, y: 0, width: 360, height: 640 });
      const widths = (html: Box) => ({ scroll: Math.max(html.scrollWidth, html.ownerDocument.body.scrollWidth), client: html.clientWidth });
      const inFrame = await chat.locator('html').evaluate(widths);
      expect(inFrame.client).toBe(360);
      expect(inFrame.scroll).toBeLessThanOrEqual(inFrame.client);
      expect((await page.locator('html').evaluate(widths)).scroll).toBeLessThanOrEqual(360);
      // The send box and the close button are on screen.
      const sendBox = await input.boundingBox();
      expect(sendBox!.y + sendBox!.height).toBeLessThanOrEqual(640);
      expect(sendBox!.x + sendBox!.width).toBeLessThanOrEqual(360);
      await chat.getByRole('button', { name: 'Mbyll bisedën' }).click();
      await frame.waitFor({ state: 'hidden' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 20_000);
});
