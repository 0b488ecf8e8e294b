import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';

/** Debian's Chromium: browser tests run when it is there, and must run in CI (REQUIRE_BROWSER=1 fails without it). */
export const CHROMIUM = '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);
export const browserRequired = process.env.REQUIRE_BROWSER === '1';
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');

/** Says why browser tests are skipped (when they are). */
export function warnIfNoBrowser(what: string): void {
  if (!browserAvailable && !browserRequired)
    console.warn(`${what} skipped: ${CHROMIUM} not found (apt-get install chromium); set REQUIRE_BROWSER=1 to make that a failure`);
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export async function launchChromium(): Promise<Browser> {
  if (!browserAvailable) throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} does not exist: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Run in every frame before its scripts: reports Content-Security-Policy violations on the console. */
export const CSP_REPORTER = `document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline code') + ' in ' + e.sourceFile + ':' + e.lineNumber));`;
