import { readFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { makePoster, posterUrl } from '../../src/posters/poster.js';
import { knowledge } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

// jsqr is CommonJS typed as an ES module: its function is the module itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

function decode(pngFile: string): string | undefined {
  const png = PNG.sync.read(readFileSync(pngFile));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe('event posters', () => {
  it('opens the Telegram bot with the event as deep link: the QR code decodes to that exact address', async () => {
    const out = tempDir('poster');
    const files = await makePoster(knowledge(), { source: 'basketball-prizren-2027', langs: ['sq'], outDir: out, telegramUsername: 'osce_kosovo_bot' });
    expect(files.url).toBe('https://t.me/osce_kosovo_bot?start=basketball-prizren-2027');
    expect(decode(files.png)).toBe(files.url);
    expect(readFileSync(files.svg, 'utf8')).toMatch(/^<svg[^>]*viewBox/);
    const pdf = await PDFDocument.load(readFileSync(files.pdf));
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]); // A4 in points
  });

  it('opens the web chat with ?source= when made with --web, in several languages', async () => {
    const out = tempDir('poster');
    const files = await makePoster(knowledge(), { source: 'school-gracanica', langs: ['sr-Cyrl', 'sq', 'en'], outDir: out, webUrl: 'https://chat.example.org/' });
    expect(files.url).toBe('https://chat.example.org/?source=school-gracanica');
    expect(decode(files.png)).toBe(files.url);
    expect((await PDFDocument.load(readFileSync(files.pdf))).getPageCount()).toBe(1);
  });

  it('refuses sources Telegram would not carry, and a missing bot username', () => {
    expect(() => posterUrl({ source: 'has spaces', telegramUsername: 'osce_kosovo_bot' })).toThrow(/--source/);
    expect(() => posterUrl({ source: 'ok-source' })).toThrow(/TELEGRAM_BOT_USERNAME/);
  });
});
