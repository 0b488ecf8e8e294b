import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../src/core/locale.js';
import { checkTitle, eventDate, makePoster, posterUrl } from '../../src/posters/poster.js';
import { knowledge } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

// jsqr is CommonJS typed as an ES module: its function is the module itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

function decode(pngFile: string): string | undefined {
  const png = PNG.sync.read(readFileSync(pngFile));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

/** The poster's page as a picture (poppler's pdftoppm, as printed), and every QR code on it, largest first. */
function codesOnPage(pdf: string): { codes: string[]; sizes: number[] } {
  const prefix = join(pdf, '..', 'page');
  execFileSync('pdftoppm', ['-png', '-r', '100', '-singlefile', pdf, prefix]);
  const png = PNG.sync.read(readFileSync(`${prefix}.png`));
  const pixels = new Uint8ClampedArray(png.data);
  const codes: string[] = [];
  const sizes: number[] = [];
  // jsQR reads one code at a time: read one, paint it white, read the next.
  for (let found = jsQR(pixels, png.width, png.height, { inversionAttempts: 'dontInvert' }); found && codes.length < 4; found = jsQR(pixels, png.width, png.height, { inversionAttempts: 'dontInvert' })) {
    codes.push(found.data);
    const corners = [found.location.topLeftCorner, found.location.topRightCorner, found.location.bottomLeftCorner, found.location.bottomRightCorner];
    const [x0, x1] = [Math.min(...corners.map((p) => p.x)) - 12, Math.max(...corners.map((p) => p.x)) + 12];
    const [y0, y1] = [Math.min(...corners.map((p) => p.y)) - 12, Math.max(...corners.map((p) => p.y)) + 12];
    sizes.push(x1 - x0);
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(png.height, y1); y++)
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(png.width, x1); x++) pixels.fill(255, (y * png.width + x) * 4, (y * png.width + x) * 4 + 4);
  }
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]!);
  return { codes: order.map((i) => codes[i]!), sizes: order.map((i) => sizes[i]!) };
}

/** The poster's text layer, line by line, as a screen reader or a search would find it. */
function textLines(pdf: string): string[] {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).split('\n').map((l) => l.trim());
}

async function pages(pdf: string): Promise<number> {
  return (await PDFDocument.load(readFileSync(pdf))).getPageCount();
}

/** Each language's contacts, as the foot of the poster shows them: the name, the office, one line each. */
function footerLines(lang: Locale): string[] {
  return knowledge()
    .dialogue.contacts[lang].replace(/\*\*(.+?)\*\*\s*[–-]\s*/, '$1\n')
    .split(/\n| · /)
    .map((l) => l.trim());
}

describe('event posters', () => {
  it('shows the event, its date in each language, a large Telegram code and a second code for the web chat', async () => {
    const out = tempDir('poster');
    const langs: Locale[] = ['sq', 'sr-Latn', 'en'];
    const files = await makePoster(knowledge(), {
      source: 'basketball-prizren-2027',
      langs,
      outDir: out,
      telegramUsername: 'osce_kosovo_bot',
      webUrl: 'https://chat.example.org/',
      title: 'Basketball for Tolerance – Prizren 2027',
      date: '2027-05-14',
    });
    expect(files.url).toBe('https://t.me/osce_kosovo_bot?start=basketball-prizren-2027');
    expect(files.webUrl).toBe('https://chat.example.org/?source=basketball-prizren-2027');
    expect(await pages(files.pdf)).toBe(1);
    const { width, height } = (await PDFDocument.load(readFileSync(files.pdf))).getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]); // A4 in points

    // Both codes read from the printed page: the Telegram one first and larger.
    const { codes, sizes } = codesOnPage(files.pdf);
    expect(codes).toEqual([files.url, files.webUrl]);
    expect(sizes[0]!).toBeGreaterThan(sizes[1]! * 1.5);
    expect(sizes[0]!).toBeGreaterThan(250); // px at 100 dpi: wider than 6 cm on paper

    const lines = textLines(files.pdf);
    expect(lines).toContain('Basketball for Tolerance – Prizren 2027');
    expect(lines).toContain('14 maj 2027 · 14. maj 2027. · 14 May 2027');
    const d = knowledge().dialogue;
    for (const lang of langs) {
      expect(lines).toContain(d.poster_title[lang]);
      expect(lines).toContain(d.poster_scan_telegram[lang]); // one call to action a line, not run together
      for (const line of d.poster_web_code[lang].split('\n')) expect(lines).toContain(line);
      for (const line of footerLines(lang)) expect(lines).toContain(line);
    }
    // The codes alone, for other print work.
    expect(decode(files.png)).toBe(files.url);
    expect(decode(files.webPng!)).toBe(files.webUrl);
    expect(readFileSync(files.svg, 'utf8')).toMatch(/^<svg[^>]*viewBox/);
  });

  it('opens the web chat with ?source= when there is no Telegram bot, in Cyrillic too, without title or date', async () => {
    const out = tempDir('poster');
    const langs: Locale[] = ['sr-Cyrl', 'sq'];
    const files = await makePoster(knowledge(), { source: 'school-gracanica', langs, outDir: out, webUrl: 'https://chat.example.org/' });
    expect(files.url).toBe('https://chat.example.org/?source=school-gracanica');
    expect(files.webUrl).toBeUndefined();
    expect(await pages(files.pdf)).toBe(1);
    expect(codesOnPage(files.pdf).codes).toEqual([files.url]);
    const lines = textLines(files.pdf);
    const d = knowledge().dialogue;
    for (const lang of langs) {
      expect(lines).toContain(d.poster_scan_web[lang]);
      expect(lines).not.toContain(d.poster_scan_telegram[lang]);
      for (const line of footerLines(lang)) expect(lines).toContain(line);
    }
    expect(lines.join('\n')).not.toMatch(/20\d\d/); // no date given, none printed
  });

  it('holds four languages, a title in two lines and several days on one page', async () => {
    const out = tempDir('poster');
    const files = await makePoster(knowledge(), {
      source: 'four',
      langs: ['sq', 'sr-Latn', 'sr-Cyrl', 'en'],
      outDir: out,
      telegramUsername: 'osce_kosovo_bot',
      webUrl: 'https://chat.example.org/',
      title: ['Turniri i basketbollit', 'Pejë/Peć 2027'],
      date: '2027-05-14/2027-05-16',
    });
    expect(await pages(files.pdf)).toBe(1);
    expect(codesOnPage(files.pdf).codes).toEqual([files.url, files.webUrl]);
    const text = textLines(files.pdf).join('\n');
    for (const date of ['14 – 16 maj 2027', '14.–16. maj 2027.', '14.–16. мај 2027.', '14 – 16 May 2027']) expect(text).toContain(date);
    expect(text).toContain(knowledge().dialogue.poster_scan_telegram['sr-Cyrl']);
  });

  it('writes each date in the language’s own format, checks days and refuses what does not fit', async () => {
    expect(eventDate('2027-05-14', 'en')).toEqual({ full: 'Friday, 14 May 2027', short: '14 May 2027' });
    expect(eventDate('2027-05-14', 'sq')).toEqual({ full: 'e premte, 14 maj 2027', short: '14 maj 2027' });
    expect(eventDate('2027-05-14', 'sr-Latn')).toEqual({ full: 'petak, 14. maj 2027.', short: '14. maj 2027.' });
    expect(eventDate('2027-05-14', 'sr-Cyrl').short).toBe('14. мај 2027.');
    expect(eventDate('2027-05-14/2027-05-14', 'en').short).toBe('14 May 2027');
    expect(() => eventDate('2027-02-30', 'en')).toThrow(/--date/);
    expect(() => eventDate('14.5.2027', 'en')).toThrow(/--date/);
    expect(() => eventDate('2027-05-16/2027-05-14', 'en')).toThrow(/--date/);

    const out = tempDir('poster');
    const title = Array.from({ length: 12 }, (_, i) => `A very long event name, line ${i + 1}`);
    await expect(makePoster(knowledge(), { source: 'long', langs: ['sq', 'sr-Latn', 'sr-Cyrl', 'en'], outDir: out, telegramUsername: 'osce_kosovo_bot', title })).rejects.toThrow(/one page/);
    expect(readdirSync(out).filter((f) => f.endsWith('.pdf'))).toEqual([]); // no half-drawn poster left behind
  });

  it('keeps the title status-neutral and asks for both official names of a place', () => {
    expect(() => checkTitle(knowledge(), ['Youth Day of the Republic of Kosovo'])).toThrow(/status-neutral/);
    expect(checkTitle(knowledge(), ['Youth Day in Pejë'])).toEqual([expect.stringMatching(/Pejë\/Peć/)]);
    expect(checkTitle(knowledge(), ['Youth Day in Pejë/Peć', 'Дан младих у Пећ/Pejë'])).toEqual([]);
  });

  it('refuses sources Telegram would not carry, and a missing bot username', () => {
    expect(() => posterUrl({ source: 'has spaces', telegramUsername: 'osce_kosovo_bot' })).toThrow(/--source/);
    expect(() => posterUrl({ source: 'ok-source' })).toThrow(/TELEGRAM_BOT_USERNAME/);
    expect(() => posterUrl({ source: 'ok-source', telegramUsername: '@osce' })).toThrow(/TELEGRAM_BOT_USERNAME/);
  });
});
