import type { InlineKeyboardButton } from 'telegraf/types';
import type { Reply } from '../../core/reply.js';

/** Telegram's limit is 4096 characters a message; we split a little below it, at line breaks. */
const MAX_MESSAGE = 4000;
const CALLBACK_DATA_BYTES = 64;

export interface TelegramMessage {
  text: string;
  keyboard?: InlineKeyboardButton[][];
}

/** Everything user- or content-derived is escaped before our own tags are added. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Our light markdown in Telegram's HTML: `**bold**` → <b>, list dashes → bullets. */
export function toHtml(markdown: string): string {
  return escapeHtml(markdown)
    .replace(/\*\*(.+?)\*\*/gs, '<b>$1</b>')
    .replace(/^- /gm, '• ');
}

/**
 * Splits HTML text into pieces of at most `max` characters, at line breaks where possible, never inside a tag,
 * an entity (&amp;) or a surrogate pair; a <b> open at a cut is closed there and reopened in the next piece, so
 * that every piece parses on its own.
 */
export function split(text: string, max = MAX_MESSAGE): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const room = max - '</b>'.length;
    let cut = rest.lastIndexOf('\n', room);
    if (cut < room / 2) cut = rest.lastIndexOf(' ', room);
    if (cut < room / 2) cut = room;
    const tag = rest.lastIndexOf('<', cut);
    if (tag > rest.lastIndexOf('>', cut - 1)) cut = tag;
    const entity = rest.lastIndexOf('&', cut);
    if (entity >= 0 && entity > rest.lastIndexOf(';', cut - 1) && cut - entity < 10) cut = entity;
    const before = rest.charCodeAt(cut - 1);
    if (before >= 0xd800 && before <= 0xdbff) cut -= 1;
    let piece = rest.slice(0, cut);
    rest = rest.slice(cut).replace(/^\n/, '');
    if (piece.split('<b>').length > piece.split('</b>').length) {
      piece += '</b>';
      rest = `<b>${rest}`;
    }
    pieces.push(piece);
  }
  pieces.push(rest);
  return pieces;
}

/**
 * The engine's reply as Telegram messages: HTML text split below the limit, the buttons as an inline keyboard on
 * the last message (callback data is the button's payload), and the Mission's web links as URL buttons.
 */
export function toTelegram(reply: Reply): TelegramMessage[] {
  const texts = reply.messages.flatMap((m) => split(toHtml(m.text)));
  const rows: InlineKeyboardButton[][] = [];
  const buttons = reply.quickReplies.filter((q) => Buffer.byteLength(q.payload) <= CALLBACK_DATA_BYTES);
  // Two buttons a row when the labels are short, one when they are not.
  for (let i = 0; i < buttons.length; ) {
    const a = buttons[i]!;
    const b = buttons[i + 1];
    if (b && a.label.length <= 18 && b.label.length <= 18) {
      rows.push([{ text: a.label, callback_data: a.payload }, { text: b.label, callback_data: b.payload }]);
      i += 2;
    } else {
      rows.push([{ text: a.label, callback_data: a.payload }]);
      i += 1;
    }
  }
  const feedback = (reply.feedback ?? []).filter((f) => Buffer.byteLength(f.payload) <= CALLBACK_DATA_BYTES);
  if (feedback.length) rows.push(feedback.map((f) => ({ text: f.label, callback_data: f.payload })));
  // Telegram's URL buttons take http(s) only: e-mail and phone stay in the text, where Telegram links them.
  const web = (reply.links ?? []).filter((l) => l.url.startsWith('https://'));
  if (web.length) rows.push(web.map((l) => ({ text: l.label, url: l.url })));
  return texts.map((text, i) => (i === texts.length - 1 && rows.length ? { text, keyboard: rows } : { text }));
}
