import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Locale } from '../core/locale.js';
import { checkText } from '../knowledge/checks.js';
import type { ContentProblem, KnowledgeBase } from '../knowledge/types.js';
import { drawPoster, registerFonts, type PosterContent } from './layout.js';

export interface PosterOptions {
  /** Where people come from, recorded on their conversations: letters, digits, _ and - (Telegram's limit). */
  source: string;
  /** Languages of the poster's text, in order. */
  langs: Locale[];
  outDir: string;
  /**
   * The bot's @username (without @): the main code opens Telegram, and a second code the web chat when
   * `webUrl` is given too. Without it the main code opens the web chat (`webUrl`).
   */
  telegramUsername?: string;
  /** The chat page's address. */
  webUrl?: string;
  /** The event's name as printed, one line per entry (a name in two languages, say); none for a general poster. */
  title?: string | string[];
  /** The event's day, `2027-05-14`, or days, `2027-05-14/2027-05-16`: printed in each language's own format. */
  date?: string;
}

export interface PosterFiles {
  /** The address of the main code. */
  url: string;
  /** The web chat's address of the second code, when the main code opens Telegram. */
  webUrl?: string;
  pdf: string;
  /** The main code alone, and the second code alone when there is one. */
  png: string;
  svg: string;
  webPng?: string;
  webSvg?: string;
  /** Things in the title a person should look at (a place named in one official form only). */
  warnings: string[];
}

const SOURCE = /^[\w-]{1,64}$/;

/** The address the main code opens: the Telegram bot with a deep link, or the web chat with `?source=`. */
export function posterUrl(o: Pick<PosterOptions, 'source' | 'telegramUsername' | 'webUrl'>): string {
  if (!SOURCE.test(o.source)) throw new Error(`--source must be 1 to 64 letters, digits, _ or - (Telegram's deep-link limit): "${o.source}"`);
  if (o.telegramUsername !== undefined && o.telegramUsername !== '') {
    if (!/^\w{5,32}$/.test(o.telegramUsername)) throw new Error(`TELEGRAM_BOT_USERNAME must be the bot's username without @ (5 to 32 letters, digits or _): "${o.telegramUsername}"`);
    return `https://t.me/${o.telegramUsername}?start=${o.source}`;
  }
  if (o.webUrl) return webChatUrl(o.webUrl, o.source);
  throw new Error("Set TELEGRAM_BOT_USERNAME to the bot's username (without @), or make a web-chat poster with --web.");
}

/** The web chat's address with `?source=`. */
export function webChatUrl(base: string, source: string): string {
  if (!SOURCE.test(source)) throw new Error(`--source must be 1 to 64 letters, digits, _ or - (Telegram's deep-link limit): "${source}"`);
  const url = new URL(base);
  url.searchParams.set('source', source);
  return url.toString();
}

// English dates as written in Europe (14 May 2027); the other languages' own conventions.
const DATE_LOCALES: Record<Locale, string> = { en: 'en-GB', sq: 'sq', 'sr-Latn': 'sr-Latn', 'sr-Cyrl': 'sr-Cyrl' };

/**
 * The event's date (or first/last day) in a language's own format, with and without the weekday.
 *
 * @example eventDate('2027-05-14', 'sr-Latn').short === '14. maj 2027.'
 */
export function eventDate(date: string, lang: Locale): { full: string; short: string } {
  const days = date.split('/').map(parseDay);
  if (days.length > 2 || (days[1] && days[1] < days[0]!)) throw new Error(`--date takes a day, 2027-05-14, or the first and last days, 2027-05-14/2027-05-16: "${date}"`);
  const format = (dateStyle: 'full' | 'long') => {
    const f = new Intl.DateTimeFormat(DATE_LOCALES[lang], { dateStyle, timeZone: 'UTC' });
    return days[1] && days[1].getTime() !== days[0]!.getTime() ? f.formatRange(days[0]!, days[1]) : f.format(days[0]);
  };
  return { full: format('full'), short: format('long') };
}

function parseDay(day: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  const d = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : undefined;
  if (!m || !d || d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]!)
    throw new Error(`--date takes a day as YYYY-MM-DD, e.g. 2027-05-14 (or two, 2027-05-14/2027-05-16): "${day}"`);
  return d;
}

/**
 * The organiser's title, checked as the assistant's own texts are: wording that is not status-neutral is refused;
 * a place named in one official form only is a warning (the other form may be declined, "u Prištini/Prishtinë").
 */
export function checkTitle(kb: KnowledgeBase, lines: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const line of lines) {
    const locale: Locale = /\p{Script=Cyrillic}/u.test(line) ? 'sr-Cyrl' : 'en';
    const problems: ContentProblem[] = [];
    checkText('--title', 'title', { en: line, sq: line, 'sr-Latn': line, 'sr-Cyrl': line }, [], kb.places, problems);
    for (const p of problems.filter((p) => p.entry === `title.${locale}`)) {
      if (/status-neutral/.test(p.message)) throw new Error(`--title: ${p.message}.`);
      if (/official forms/.test(p.message)) warnings.push(`--title "${line}": ${p.message}.`);
    }
  }
  return warnings;
}

/**
 * A printable A4 poster (PDF) for an event: its name and date, the invitation to ask and play, a large code with a
 * call to action in each language, a second code for the web chat beside a Telegram code, and the Mission's
 * contacts in each language; and each code alone as PNG and SVG for other print work.
 */
export async function makePoster(kb: KnowledgeBase, options: PosterOptions): Promise<PosterFiles> {
  const o = { ...options, langs: [...new Set(options.langs)] };
  if (!o.langs.length) throw new Error('Give at least one --lang: en, sq, sr-Latn or sr-Cyrl.');
  const url = posterUrl(o);
  const telegram = url.startsWith('https://t.me/');
  const second = telegram && o.webUrl ? webChatUrl(o.webUrl, o.source) : undefined;
  const title = (Array.isArray(o.title) ? o.title : (o.title ?? '').split('\n')).map((t) => t.trim()).filter(Boolean);
  const warnings = checkTitle(kb, title);
  const dates = o.date ? o.langs.map((l) => eventDate(o.date!, l)) : undefined;

  await mkdir(o.outDir, { recursive: true });
  const base = join(o.outDir, `${o.source}-${o.langs.join('-')}`);
  const files: PosterFiles = { url, pdf: `${base}.pdf`, png: join(o.outDir, `${o.source}-qr.png`), svg: join(o.outDir, `${o.source}-qr.svg`), warnings };
  const qr = { errorCorrectionLevel: 'M' as const, margin: 2 };
  await writeFile(files.png, await QRCode.toBuffer(url, { ...qr, type: 'png', width: 1024 }));
  await writeFile(files.svg, await QRCode.toString(url, { ...qr, type: 'svg' }));
  if (second) {
    Object.assign(files, { webUrl: second, webPng: join(o.outDir, `${o.source}-web-qr.png`), webSvg: join(o.outDir, `${o.source}-web-qr.svg`) });
    await writeFile(files.webPng!, await QRCode.toBuffer(second, { ...qr, type: 'png', width: 1024 }));
    await writeFile(files.webSvg!, await QRCode.toString(second, { ...qr, type: 'svg' }));
  }

  const d = kb.dialogue;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0, // the layout places every block itself, and nothing may spill onto a second page
    info: { Title: title.join(' – ') || d.poster_title[o.langs[0]!], Author: 'OSCE Mission in Kosovo' },
  });
  registerFonts(doc);
  const done = new Promise<void>((resolve, reject) => doc.pipe(createWriteStream(files.pdf)).on('finish', resolve).on('error', reject));
  const plain = (s: string) => s.replace(/\*\*/g, '');
  const modules = (u: string) => {
    const { modules: m } = QRCode.create(u, qr);
    return { size: m.size, dark: (row: number, col: number) => Boolean(m.get(row, col)) };
  };
  const content: PosterContent = {
    // The Mission's name as its contacts spell it in each language (the bold part of their first line).
    missions: o.langs.map((l) => /\*\*(.+?)\*\*/.exec(d.contacts[l])?.[1] ?? plain(d.contacts[l].split('\n')[0]!)),
    title,
    ...(dates && { dates: { full: dates.map((x) => x.full), short: dates.map((x) => x.short) } }),
    invitations: o.langs.map((l) => ({ headline: d.poster_title[l], text: d.poster_text[l] })),
    main: { modules: modules(url), lines: o.langs.map((l) => (telegram ? d.poster_scan_telegram : d.poster_scan_web)[l]), url },
    ...(second && { second: { modules: modules(second), lines: o.langs.map((l) => d.poster_web_code[l]), url: second } }),
    footer: o.langs.map((l) => d.contacts[l]),
  };
  try {
    drawPoster(doc, content);
  } catch (error) {
    doc.end();
    await done;
    await rm(files.pdf, { force: true });
    throw error;
  }
  doc.end();
  await done;
  return files;
}
