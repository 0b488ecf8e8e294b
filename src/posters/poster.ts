import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Locale } from '../core/locale.js';
import type { KnowledgeBase } from '../knowledge/types.js';

export interface PosterOptions {
  /** Where people come from, recorded on their conversations: letters, digits, _ and - (Telegram's limit). */
  source: string;
  /** Languages of the poster's text, in order; the first also gives the contacts. */
  langs: Locale[];
  outDir: string;
  /** Telegram: the bot's @username (without @). Web: the chat page's address. One of the two. */
  telegramUsername?: string;
  webUrl?: string;
}

export interface PosterFiles {
  url: string;
  pdf: string;
  png: string;
  svg: string;
}

// DejaVu Sans covers Albanian, Serbian Latin and Cyrillic; the PDF's built-in fonts do not.
const fonts = dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
const OSCE_BLUE = '#005493';

/** The address the QR code opens: the Telegram bot with a deep link, or the web chat with `?source=`. */
export function posterUrl(o: Pick<PosterOptions, 'source' | 'telegramUsername' | 'webUrl'>): string {
  if (!/^[\w-]{1,64}$/.test(o.source)) throw new Error(`--source must be 1 to 64 letters, digits, _ or - (Telegram's deep-link limit): "${o.source}"`);
  if (o.webUrl) {
    const url = new URL(o.webUrl);
    url.searchParams.set('source', o.source);
    return url.toString();
  }
  if (!o.telegramUsername || !/^\w{5,32}$/.test(o.telegramUsername))
    throw new Error('Set TELEGRAM_BOT_USERNAME to the bot\'s username (without @), or make a web-chat poster with --web.');
  return `https://t.me/${o.telegramUsername}?start=${o.source}`;
}

/**
 * A printable A4 poster (PDF) inviting people to ask and play, with the QR code, the address in words, the
 * Mission's name and contacts; and the QR code alone as PNG and SVG for other print work.
 */
export async function makePoster(kb: KnowledgeBase, o: PosterOptions): Promise<PosterFiles> {
  const url = posterUrl(o);
  await mkdir(o.outDir, { recursive: true });
  const base = join(o.outDir, `${o.source}-${o.langs.join('-')}`);
  const files = { url, pdf: `${base}.pdf`, png: join(o.outDir, `${o.source}-qr.png`), svg: join(o.outDir, `${o.source}-qr.svg`) };
  const qr = { errorCorrectionLevel: 'M' as const, margin: 2 };
  await writeFile(files.png, await QRCode.toBuffer(url, { ...qr, type: 'png', width: 1024 }));
  await writeFile(files.svg, await QRCode.toString(url, { ...qr, type: 'svg' }));

  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: kb.dialogue.poster_title[o.langs[0]!], Author: 'OSCE Mission in Kosovo' } });
  doc.registerFont('regular', join(fonts, 'DejaVuSans.ttf'));
  doc.registerFont('bold', join(fonts, 'DejaVuSans-Bold.ttf'));
  const done = new Promise<void>((resolve, reject) => doc.pipe(createWriteStream(files.pdf)).on('finish', resolve).on('error', reject));
  const width = doc.page.width - 112;
  const d = kb.dialogue;
  const plain = (s: string) => s.replace(/\*\*/g, '');

  doc.rect(0, 0, doc.page.width, 14).fill(OSCE_BLUE).fillColor('black');
  doc.moveDown(0.5);
  // Type sizes shrink as languages are added, staying readable from a few steps away.
  const [title, body] = o.langs.length === 1 ? [34, 17] : o.langs.length === 2 ? [26, 14] : [22, 12];
  for (const lang of o.langs) {
    doc.font('bold').fontSize(title).fillColor(OSCE_BLUE).text(d.poster_title[lang], { width, align: 'center' });
    doc.moveDown(0.3);
    doc.font('regular').fontSize(body).fillColor('black').text(d.poster_text[lang], { width, align: 'center' });
    doc.moveDown(0.8);
  }
  const size = o.langs.length > 2 ? 200 : 260;
  doc.image(await QRCode.toBuffer(url, { ...qr, type: 'png', width: 900 }), (doc.page.width - size) / 2, doc.y, { width: size, height: size });
  doc.y += size + 10;
  const scan = o.webUrl ? d.poster_scan_web : d.poster_scan_telegram;
  doc.font('bold').fontSize(13).text(o.langs.map((l) => scan[l]).join(' · '), { width, align: 'center' });
  doc.font('regular').fontSize(10).fillColor('#333333').text(url, { width, align: 'center', link: url });
  // The Mission's name and public contacts, at the foot of the page.
  const contacts = plain(d.contacts[o.langs[0]!]);
  doc.font('regular').fontSize(10).fillColor('black').text(contacts, 56, doc.page.height - 56 - doc.heightOfString(contacts, { width }), { width, align: 'center' });
  doc.end();
  await done;
  return files;
}
