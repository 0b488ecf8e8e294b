import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS, CSP_REPORTER, browserAvailable, browserRequired, launchChromium, warnIfNoBrowser } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assistant } from '../../src/dialogue/assistant.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { Analytics, type Report } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { assistant as newAssistant } from '../support/engine.js';

/**
 * The staff page (/admin): the report API's token check, and the page itself in a real browser – empty without
 * the token, a wrong token refused in plain words, the right one showing the totals and the questions the
 * assistant could not answer. The browser part needs Debian's Chromium at /usr/bin/chromium; it is skipped
 * without it unless REQUIRE_BROWSER=1 (CI), which makes that a failure.
 */
warnIfNoBrowser('staff page browser tests');

const TOKEN = 'staff-token-Zq8vW3kP0xR7nL2mB5cT9yH4';
/** A question nothing in the knowledge base answers: it must be listed for staff, word for word. */
const UNANSWERED = 'can you recommend a good pizza place in Prishtina?';

/** A few conversations through the engine, recorded by `analytics` as the server would. */
function converse(assistant: Assistant): void {
  const turns: [string, string][] = [
    ['a', 'what is the budget of the mission?'],
    ['a', UNANSWERED],
    ['b', 'ku jane zyrat e misionit?'],
    ['b', 'a ka vende pune? shkruani ne ana@example.org'],
    ['c', 'ко је шеф мисије?'],
    ['c', UNANSWERED],
  ];
  for (const [sessionId, text] of turns) assistant.respond({ sessionId, text, channel: 'web' });
  assistant.respond({ sessionId: 'a', text: '👍', payload: 'r:1:budget', channel: 'web' });
}

async function staffApp(env: Record<string, string>): Promise<{ app: FastifyInstance; analytics: Analytics }> {
  const analytics = new Analytics(openDatabase(':memory:'), 90);
  const assistant = newAssistant({ observers: [analytics] });
  converse(assistant);
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }), assistant, analytics });
  return { app, analytics };
}

describe('the staff report API', () => {
  it('answers 401 without the token or with a wrong one, and the report with it', async () => {
    const { app } = await staffApp({ ADMIN_TOKEN: TOKEN });
    try {
      expect((await app.inject('/admin/api/report')).statusCode).toBe(401);
      expect((await app.inject({ url: '/admin/api/report?days=7', headers: { authorization: `Bearer ${'y'.repeat(35)}` } })).statusCode).toBe(401);
      const ok = await app.inject({ url: '/admin/api/report?days=7', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.statusCode).toBe(200);
      const report = ok.json<Report>();
      expect(report.totals.turns).toBe(6);
      expect(report.unanswered.map((u) => u.text)).toContain(UNANSWERED);

      // The page and its assets are public (they hold no data), under the page's strict policy.
      const page = await app.inject('/admin/');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      for (const asset of ['/admin/admin.js', '/admin/admin.css', '/admin/vendor/chart.umd.js']) expect((await app.inject(asset)).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('does not exist when ADMIN_TOKEN is not set', async () => {
    const { app } = await staffApp({});
    try {
      for (const url of ['/admin', '/admin/', '/admin/api/report', '/admin/admin.js']) expect((await app.inject(url)).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe.runIf(browserAvailable || browserRequired)('the staff page in Chromium', () => {
  let browser: Browser | undefined;
  let app: FastifyInstance | undefined;
  let analytics: Analytics;
  let url = '';

  beforeAll(async () => {
    ({ app, analytics } = await staffApp({ ADMIN_TOKEN: TOKEN }));
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/admin/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Opens the page; `problems` collects CSP violations, script errors and console errors. */
  async function open(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: string[]; reports: string[] }> {
    const context = await browser!.newContext({ viewport, locale: 'en-GB' });
    await context.addInitScript({ content: CSP_REPORTER });
    const page = await context.newPage();
    const problems: string[] = [];
    const reports: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content.Security.Policy|CSP/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (request.url().includes('/admin/api/report')) reports.push(request.url());
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    return { context, page, problems, reports };
  }

  it('shows nothing without the token, refuses a wrong one, and shows the report with the right one', async () => {
    const { context, page, problems, reports } = await open({ width: 1280, height: 900 });
    try {
      // Signed out: the sign-in box, no report, no request for one.
      const tokenField = page.getByLabel('Staff token');
      await tokenField.waitFor();
      expect(await tokenField.getAttribute('type')).toBe('password');
      expect(await page.locator('#report').isVisible()).toBe(false);
      expect(await page.locator('body').textContent()).not.toContain(UNANSWERED);
      expect(reports).toEqual([]);

      // A wrong token: said plainly, nothing shown, nothing kept.
      await tokenField.fill('y'.repeat(20));
      await page.getByRole('button', { name: 'Show report' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'token is wrong' });
      await alert.waitFor();
      expect(await page.locator('#report').isVisible()).toBe(false);
      expect(await page.locator('body').textContent()).not.toContain(UNANSWERED);
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      // The browser itself logs the refused request; nothing else may appear.
      expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
      problems.length = 0;

      // The right token: totals and the unanswered questions, as the report has them.
      await tokenField.fill(TOKEN);
      await page.getByRole('button', { name: 'Show report' }).click();
      await page.getByRole('heading', { name: 'Totals' }).waitFor();
      const expected = await analytics.report(Date.now() - 30 * 86_400_000, Date.now() + 60_000);
      const totals = await page.locator('#totals').textContent();
      expect(totals).toContain(`Messages${expected.totals.turns}`);
      expect(totals).toContain(`Conversations${expected.totals.conversations}`);
      expect(totals).toContain(`Ratings${expected.totals.ratings}`);
      expect(await alert.isVisible()).toBe(false);

      const unanswered = page.locator('#unanswered');
      const english = unanswered.getByRole('table', { name: 'Questions in English' });
      const row = english.getByRole('row').filter({ hasText: UNANSWERED });
      await row.waitFor();
      expect(await row.getByRole('cell').first().textContent()).toBe('2'); // asked twice (in two conversations)
      const texts = await unanswered.textContent();
      for (const u of expected.unanswered) expect(texts).toContain(u.text);
      expect(texts).toContain('[e-mail]');
      expect(texts).not.toContain('ana@example.org');
      expect(await unanswered.getByRole('heading', { name: 'Albanian' }).count()).toBe(1);

      // Charts have a text alternative, topics read as words, the period can be changed.
      for (const canvas of await page.locator('canvas').all()) {
        expect(await canvas.getAttribute('role')).toBe('img');
        expect(await canvas.getAttribute('aria-label')).toMatch(/^Chart: .*table below/);
      }
      expect(await page.locator('canvas').count()).toBe(3);
      await page.locator('#topics').getByRole('rowheader', { name: 'Head of mission' }).waitFor();
      const week = page.waitForResponse((response) => response.url().includes('/admin/api/report?days=7'));
      await page.getByLabel('Last 7 days').check();
      expect((await week).status()).toBe(200);
      await page.getByRole('rowheader', { name: UNANSWERED }).waitFor();

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'admin.png'), fullPage: true });

      // The token is in this tab's sessionStorage only; signing out forgets it and hides the data.
      expect(await page.evaluate('sessionStorage.length')).toBe(1);
      expect(await page.evaluate('localStorage.length')).toBe(0);
      expect(await page.evaluate('document.cookie')).toBe('');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await tokenField.waitFor();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      expect(await page.locator('body').textContent()).not.toContain(UNANSWERED);

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('fits a 390-pixel phone without sideways scrolling', async () => {
    const { context, page, problems } = await open({ width: 390, height: 844 });
    try {
      await page.getByLabel('Staff token').fill(TOKEN);
      await page.getByLabel('Staff token').press('Enter');
      await page.getByRole('rowheader', { name: UNANSWERED }).waitFor();
      const width = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as number[];
      expect(width[0]).toBeLessThanOrEqual(width[1]!);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);
});
