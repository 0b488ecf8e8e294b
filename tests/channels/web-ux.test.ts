import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, ElementHandle, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/dialogue/assistant.js';
import { loadKnowledgeOrThrow } from '../../src/knowledge/load.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { ARTIFACTS, CSP_REPORTER, browserAvailable, browserRequired, launchChromium, warnIfNoBrowser } from '../support/browser.js';

/**
 * What people see in the web chat (issue 13, items 1 and 3–6), in Chromium against the real server, on a desktop
 * (1280×800) and a phone-sized screen (375×740), on the full page and in the embedded panel.
 */
warnIfNoBrowser('web chat UX tests');

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
const LAUNCHER_SQ = 'Bisedoni me Misionin e OSBE-së në Kosovë';
const SOURCE = 'basketball-prizren-2027';

/** The little of the DOM read inside the browser (the project compiles without lib.dom). */
interface El {
  tagName: string;
  id: string;
  className: string;
  parentElement: El | null;
  scrollHeight: number;
  clientHeight: number;
  textContent: string | null;
  closest(selector: string): El | null;
  contains(other: El | null): boolean;
  getBoundingClientRect(): { top: number; bottom: number; left: number; right: number; width: number; height: number };
  scrollIntoView(options: { block: string }): void;
  ownerDocument: { defaultView: { getComputedStyle(e: El): { overflowY: string } }; elementFromPoint(x: number, y: number): El | null; activeElement: El | null };
}

/** Another site's page with the embed snippet (and a link before it, as pages have). */
function hostPage(botUrl: string, csp?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : ''}
<title>Basketball Prizren 2027</title></head>
<body><h1>Basketball Prizren 2027</h1><p><a href="#programme">Programme</a></p>
<script src="${botUrl}/embed.js" data-lang="sq" data-source="${SOURCE}" async></script>
</body></html>`;
}

describe.runIf(browserAvailable || browserRequired)('web chat UX in Chromium (issue 13)', () => {
  let browser: Browser | undefined;
  let app: FastifyInstance | undefined;
  let host: Server | undefined;
  let botUrl = '';
  /** The host site: http://127.0.0.1:port is in ALLOWED_ORIGINS, http://localhost:port (same server) is not. */
  let allowedHost = '';
  let refusedHost = '';
  const logs: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    host = createServer((request, response) => {
      if (request.url === '/favicon.ico') return void response.writeHead(204).end();
      // A page whose own policy stops it from asking the chat whether it may frame it.
      if (request.url === '/strict') return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(botUrl, "connect-src 'none'"));
      if (request.url !== '/') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(botUrl));
    });
    await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve));
    const port = (host.address() as AddressInfo).port;
    allowedHost = `http://127.0.0.1:${port}`;
    refusedHost = `http://localhost:${port}`;
    app = await buildApp({
      config: loadConfig({ ...process.env, ALLOWED_ORIGINS: allowedHost, LOG_LEVEL: 'warn' }),
      assistant: new Assistant(loadKnowledgeOrThrow()),
      logStream: { write: (line) => void logs.push(line) },
    });
    botUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (host) await new Promise((resolve) => host!.close(resolve));
  });

  async function context(options: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
    const c = await browser!.newContext({ locale: 'de-DE', ...options });
    await c.addInitScript({ content: CSP_REPORTER });
    c.on('page', (page) => {
      page.on('console', (m) => {
        // A refused frame is what item 1 is about: the browser says so on the console.
        if (m.type() === 'error' && !/frame-ancestors/.test(m.text())) problems.push(m.text());
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    });
    return c;
  }

  /** The chat, either as a page of its own or in the panel of a host page after pressing the launcher. */
  async function openChat(options: Parameters<Browser['newContext']>[0], where: 'page' | 'embed', lang = 'sq'): Promise<{ c: BrowserContext; page: Page; chat: Page | FrameLocator; frame: () => Frame }> {
    const c = await context(options);
    const page = await c.newPage();
    if (where === 'page') {
      await page.goto(`${botUrl}/?lang=${lang}&source=${SOURCE}`);
      await page.locator('#webchat .webchat__basic-transcript__activity').first().waitFor(); // connected: the greeting
      return { c, page, chat: page, frame: () => page.mainFrame() };
    }
    await page.goto(allowedHost);
    await page.getByRole('button', { name: LAUNCHER_SQ }).click();
    const chat = page.frameLocator('iframe');
    await chat.locator('#webchat .webchat__basic-transcript__activity').first().waitFor();
    return { c, page, chat, frame: () => page.frame({ url: /embed=1/ })! };
  }

  const suggested = (chat: Page | FrameLocator, label: string): Locator => chat.getByRole('toolbar').getByRole('button', { name: label, exact: true });
  const transcript = (chat: Page | FrameLocator) => chat.locator('#webchat .webchat__basic-transcript__transcript');
  const shows = (chat: Page | FrameLocator, text: string | RegExp) => transcript(chat).getByText(text).last().waitFor({ timeout: 10_000 });
  const ask = async (chat: Page | FrameLocator, text: string) => {
    await chat.locator('#webchat textarea').fill(text);
    await chat.locator('#webchat textarea').press('Enter');
  };

  /**
   * Every button of the reply is reached by scrolling the conversation: none sits in a scrolling box of its own
   * inside the chat, and scrolled into view each one is on screen, uncovered (the send box stays below it).
   */
  async function allReachable(chat: Page | FrameLocator): Promise<string[]> {
    const buttons = chat.getByRole('toolbar').getByRole('button');
    const labels = await buttons.allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (let i = 0; i < labels.length; i++) {
      const problem = await buttons.nth(i).evaluate((button: El) => {
        const view = button.ownerDocument.defaultView;
        // Up to the conversation (#webchat), which is what scrolls.
        for (let e = button.parentElement; e && e.id !== 'webchat'; e = e.parentElement) {
          if (/auto|scroll/.test(view.getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight + 1) return `in a scrolling box of its own: ${e.className}`;
        }
        button.scrollIntoView({ block: 'center' });
        const r = button.getBoundingClientRect();
        const hit = button.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit && (button.contains(hit) || hit === button) ? '' : `covered by ${hit?.tagName}`;
      });
      expect(problem, labels[i]).toBe('');
    }
    return labels;
  }

  it('item 1: on a page whose origin is not allowed, the launcher opens the chat in a new tab; the server logs that origin once, with the setting', async () => {
    // The route itself: a page of this server, an allowed origin, a refused one (readable from anywhere).
    const allowed = async (origin?: string) => (await app!.inject({ url: '/api/embed/allowed', headers: origin ? { origin } : {} })).json();
    expect(await allowed()).toEqual({ allowed: true });
    expect(await allowed(allowedHost)).toEqual({ allowed: true });
    expect(await allowed('null')).toEqual({ allowed: false });
    const refusal = await app!.inject({ url: '/api/embed/allowed', headers: { origin: 'https://news.example' } });
    expect(refusal.json()).toEqual({ allowed: false });
    expect(refusal.headers['access-control-allow-origin']).toBe('*');

    for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const c = await context(options);
      try {
        const page = await c.newPage();
        await page.goto(refusedHost);
        const link = page.getByRole('link', { name: `${LAUNCHER_SQ} (hapet në një skedë të re)` });
        await link.waitFor();
        expect(await link.getAttribute('href')).toBe(`${botUrl}/?lang=sq&source=${SOURCE}`);
        expect(await link.getAttribute('target')).toBe('_blank');
        expect(await link.getAttribute('rel')).toBe('noopener');
        const [tab] = await Promise.all([c.waitForEvent('page'), link.click()]);
        await tab.locator('#webchat').getByText('Përshëndetje!').first().waitFor({ timeout: 10_000 });
        expect(await page.locator('iframe').count()).toBe(0);
        await page.screenshot({ path: join(ARTIFACTS, `web-ux-refused-${name}.png`) });
      } finally {
        await c.close();
      }
    }
    // Allowed pages still get the panel, and are not logged.
    const { c } = await openChat(DESKTOP, 'embed');
    await c.close();

    const refused = logs.map((l) => JSON.parse(l) as { level: number; origin?: string; msg: string }).filter((l) => l.origin);
    expect(refused.map((l) => l.origin).sort()).toEqual(['https://news.example', refusedHost].sort());
    const line = refused.find((l) => l.origin === refusedHost)!;
    expect(line.level).toBe(40);
    expect(line.msg).toContain(`ALLOWED_ORIGINS=${allowedHost},${refusedHost}`);
    expect(problems).toEqual([]);
  }, 30_000);

  it('item 1: a frame refused without an answer from the check (the page blocks it) becomes a link, not a broken panel', async () => {
    const before = problems.length;
    for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const c = await context(options);
      try {
        const page = await c.newPage();
        await page.goto(`${refusedHost}/strict`);
        await page.getByRole('button', { name: LAUNCHER_SQ }).click();
        const link = page.getByRole('link', { name: `${LAUNCHER_SQ} (hapet në një skedë të re)` });
        await link.waitFor({ timeout: 8_000 });
        expect(await page.locator('iframe').count()).toBe(0);
        expect(await link.getAttribute('href')).toBe(`${botUrl}/?lang=sq&source=${SOURCE}`);
        await page.screenshot({ path: join(ARTIFACTS, `web-ux-refused-frame-${name}.png`) });
        // The panel can be closed (on a phone it covers the launcher).
        await page.getByRole('button', { name: 'Mbyll bisedën' }).click();
        await link.waitFor({ state: 'hidden' });
      } finally {
        await c.close();
      }
    }
    // What this page's policy blocked (on purpose) is not a problem of the chat.
    expect(problems.splice(before).every((p) => /connect-src|Content Security Policy/.test(p))).toBe(true);
  }, 15_000);

  it('item 3: every topic of the menu and every quiz option is reached by scrolling the conversation, on a phone and in the panel', async () => {
    for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      for (const where of ['page', 'embed'] as const) {
        const { c, page, chat } = await openChat(options, where);
        try {
          await shows(chat, 'Përshëndetje!');
          const topics = await allReachable(chat);
          expect(topics).toContain('Kuiz');
          await page.screenshot({ path: join(ARTIFACTS, `web-ux-${where}-${name}.png`) });
          await suggested(chat, 'Kuiz').click();
          await shows(chat, /Pyetja 1 nga 5/);
          const options = await allReachable(chat);
          expect(options.length).toBeGreaterThanOrEqual(4); // three or four options and "stop the quiz"
          await page.screenshot({ path: join(ARTIFACTS, `web-ux-${where}-${name}-quiz.png`) });
        } finally {
          await c.close();
        }
      }
    }
    expect(problems).toEqual([]);
  }, 40_000);

  it('item 4: the quiz option a person pressed (and any other button) shows as their message', async () => {
    for (const [options, where] of [[PHONE, 'page'], [DESKTOP, 'embed']] as const) {
      const { c, chat } = await openChat(options, where);
      try {
        const mine = transcript(chat).locator('.webchat__stacked-layout--from-user');
        await shows(chat, 'Përshëndetje!');
        await suggested(chat, 'Kuiz').click();
        await shows(chat, /Pyetja 1 nga 5/);
        const option = (await chat.getByRole('toolbar').getByRole('button').allTextContents())[1]!;
        await suggested(chat, option).click();
        // The next question comes after the echo of the press, which replaced the pending message.
        await shows(chat, /Pyetja 2 nga 5/);
        expect(await mine.allTextContents()).toEqual([expect.stringContaining('Kuiz'), expect.stringContaining(option)]);
      } finally {
        await c.close();
      }
    }
    expect(problems).toEqual([]);
  }, 30_000);

  /**
   * Whether the focused element looks different from the same element unfocused: a focus ring is drawn on it or
   * within 12 pixels around it (the text box's is on the box around the text).
   */
  async function focusShows(page: Page, element: ElementHandle): Promise<boolean> {
    await element.evaluate((e) => (e as unknown as El).scrollIntoView({ block: 'nearest' }));
    const box = (await element.boundingBox())!;
    const clip = { x: Math.max(0, box.x - 12), y: Math.max(0, box.y - 12), width: box.width + 24, height: box.height + 24 };
    const focused = await page.screenshot({ clip });
    await element.evaluate((e: { blur(): void }) => e.blur());
    const blurred = await page.screenshot({ clip });
    await element.evaluate((e: { focus(): void }) => e.focus());
    return !focused.equals(blurred);
  }

  it('item 5: opening the chat puts the focus in the text box, and every control shows a focus ring', async () => {
    for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const c = await context(options);
      try {
        const page = await c.newPage();
        await page.goto(allowedHost);
        const launcher = page.getByRole('button', { name: LAUNCHER_SQ });
        await launcher.waitFor();
        // Keyboard only: Tab past the page's link to the launcher, Enter, and type at once.
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        expect(await launcher.evaluate((b: { getRootNode(): { activeElement: unknown } }) => b.getRootNode().activeElement === b)).toBe(true);
        await page.keyboard.press('Enter');
        const inFrame = async () => page.frame({ url: /embed=1/ })?.evaluate(() => (globalThis as unknown as { document: El['ownerDocument'] }).document.activeElement?.tagName);
        await expect.poll(inFrame, { timeout: 10_000 }).toBe('TEXTAREA');
        // Typed once connected (before, Web Chat keeps the text in the box until it can send it).
        await shows(page.frameLocator('iframe'), 'Përshëndetje!');
        await page.keyboard.type('ku jane zyrat?');
        await page.keyboard.press('Enter');
        await shows(page.frameLocator('iframe'), 'Pejë/Peć');

        if (name === 'desktop') {
          // Tab through the whole chat from the text box to its end, then Shift+Tab from the text box to its start
          // (the header): each stop draws a ring.
          const frame = page.frame({ url: /embed=1/ })!;
          const seen: string[] = [];
          const walk = async (key: string) => {
            for (let i = 0; i < 40; i++) {
              const element = (await frame.evaluateHandle(() => (globalThis as unknown as { document: El['ownerDocument'] }).document.activeElement)).asElement() as ElementHandle;
              const what: string = await element.evaluate((e) => {
                const el = e as unknown as El & { getAttribute(n: string): string | null };
                return `${el.tagName} ${el.getAttribute('aria-label') ?? el.getAttribute('title') ?? el.textContent?.slice(0, 30)}`;
              });
              if (what.startsWith('BODY')) return; // focus left the frame
              if (!seen.includes(what)) seen.push(what);
              expect(await focusShows(page, element), `focus ring on ${what}`).toBe(true);
              await page.keyboard.press(key);
            }
            throw new Error(`more than 40 stops: ${seen.join(', ')}`);
          };
          await walk('Tab');
          await frame.locator('#webchat textarea').focus();
          await walk('Shift+Tab');
          for (const control of ['BUTTON Shqip', 'BUTTON English', 'BUTTON Mbyll bisedën', 'TEXTAREA', 'BUTTON Dërgo']) expect(seen).toContainEqual(expect.stringContaining(control));
          expect(seen.length).toBeGreaterThan(5);
          await page.screenshot({ path: join(ARTIFACTS, 'web-ux-keyboard-desktop.png') });
        }

        // Escape closes (focus back on the launcher); Enter opens again, in the text box.
        await page.frameLocator('iframe').locator('#webchat textarea').focus();
        await page.keyboard.press('Escape');
        await page.locator('iframe').waitFor({ state: 'hidden' });
        await page.keyboard.press('Enter');
        await expect.poll(inFrame, { timeout: 5_000 }).toBe('TEXTAREA');
      } finally {
        await c.close();
      }
    }
    // The full page on a desktop opens ready to type too.
    const { c, page } = await openChat(DESKTOP, 'page');
    try {
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: El['ownerDocument'] }).document.activeElement?.tagName), { timeout: 5_000 }).toBe('TEXTAREA');
    } finally {
      await c.close();
    }
    expect(problems).toEqual([]);
  }, 40_000);

  it('item 6: the rating buttons have words in the person\'s language and an icon, not an emoji alone', async () => {
    const cases = [
      [DESKTOP, 'embed', 'sq', 'ku jane zyrat?', 'Më ndihmoi', 'Nuk më ndihmoi', 'Faleminderit'],
      [PHONE, 'page', 'sr-Cyrl', 'где су канцеларије?', 'Корисно', 'Није корисно', 'Хвала'],
    ] as const;
    for (const [options, where, lang, question, up, down, thanks] of cases) {
      const { c, page, chat } = await openChat(options, where, lang);
      try {
        await ask(chat, question);
        const upButton = suggested(chat, up);
        await upButton.waitFor({ timeout: 10_000 });
        for (const label of [up, down]) {
          const button = suggested(chat, label);
          // Words to see and hear (no emoji: where no emoji font exists they are empty boxes), and an icon.
          expect(await button.innerText()).toBe(label);
          expect(await button.locator('img').getAttribute('src')).toMatch(/^data:image\/svg\+xml,/);
          expect((await button.locator('img').boundingBox())!.width).toBeGreaterThan(10);
        }
        await upButton.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, `web-ux-rating-${lang}.png`) });
        await upButton.click();
        await shows(chat, thanks);
        expect(await transcript(chat).locator('.webchat__stacked-layout--from-user').last().innerText()).toContain(up);
      } finally {
        await c.close();
      }
    }
    expect(problems).toEqual([]);
  }, 30_000);
});
