import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What goes on the page, already in the poster's languages: the layout knows nothing of content/. */
export interface PosterContent {
  /** The Mission's name in each poster language, for the head of the page. */
  missions: string[];
  /** The event's name, one entry per line as the organiser wrote it; none for a general poster. */
  title: string[];
  /** The event's date in each language, long (with the weekday) and short: the long form when it fits. */
  dates?: { full: string[]; short: string[] };
  /** Per language: a headline and the invitation to ask and play. */
  invitations: { headline: string; text: string }[];
  /** The main code: its picture, one call to action per language, and its address in words. */
  main: Code;
  /** The web chat's code beside a Telegram code, for people without Telegram. */
  second?: Code;
  /** The Mission's contacts in each language: lines, with the name between ** **. */
  footer: string[];
}

export interface Code {
  /** The code's modules, row by row (true is dark), without quiet zone: drawn as vector squares, sharp at any size. */
  modules: { size: number; dark(row: number, col: number): boolean };
  lines: string[];
  url: string;
}

// DejaVu covers Albanian, Serbian Latin and Cyrillic; the PDF's built-in fonts do not.
const fonts = dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
const FONTS = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  narrow: 'DejaVuSansCondensed.ttf',
  narrowBold: 'DejaVuSansCondensed-Bold.ttf',
} as const;
type Font = keyof typeof FONTS;

// The chat page's palette (src/channels/web/public/chat.css): the Mission's blue on white.
const BLUE = '#005493';
const BLUE_DARK = '#003d6b';
const BLUE_PALE = '#e3edf6';
const PANEL = '#eef1f5';
const RULE = '#b8c4d0';
const INK = '#1b1b1b';
const GREY = '#595959';

const MARGIN = 40;
const PAD = 22; // inside the coloured bands and the panel
const MIN_GAP = 14; // least space between the page's blocks
const SEPARATOR = '  ·  ';

export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, file] of Object.entries(FONTS)) doc.registerFont(name, join(fonts, file));
}

/** Steps of type and code size per number of languages (1 to 4): fewer languages, larger everything. */
function sizes(languages: number) {
  const i = Math.min(Math.max(languages, 1), 4) - 1;
  return {
    headline: [34, 27, 22, 19][i]!,
    body: [17, 14, 12, 11][i]!,
    cta: [26, 22, 19, 17][i]!,
    title: [40, 36, 32, 28][i]!,
    qr: [300, 270, 240, 220][i]!,
  };
}

/**
 * Draws the poster on the document's one A4 page: a blue head with the Mission's name, the event and its date;
 * the invitation in each language; a panel with the main code and one call to action per language, and the web
 * chat's code beside a Telegram code; the Mission's contacts in each language at the foot. The codes and the type
 * shrink together until everything fits with room between the blocks; the room left is shared evenly between
 * them, so no part of the page stays empty.
 */
export function drawPoster(doc: PDFKit.PDFDocument, c: PosterContent): void {
  const page = { w: doc.page.width, h: doc.page.height };
  const m = new Measure(doc);
  const head = headBlock(m, c, page.w);
  const foot = footBlock(m, c.footer, page);
  const base = sizes(c.invitations.length);
  const room = page.h - head.height - foot.height - 3 * MIN_GAP;
  // The largest code and type that leave room between the blocks: the code gives way first, then the type.
  let middle = { invitations: invitationsBlock(m, c, 1, page.w), panel: panelBlock(m, c, 1, base.qr, page.w) };
  let fits = false;
  search: for (const scale of [1, 0.92, 0.85, 0.78, 0.72, 0.66]) {
    for (let qr = base.qr; qr >= 140; qr -= 10) {
      middle = { invitations: invitationsBlock(m, c, scale, page.w), panel: panelBlock(m, c, scale, qr, page.w) };
      fits = middle.invitations.height + middle.panel.height <= room;
      if (fits) break search;
    }
  }
  if (!fits) throw new Error('The poster does not fit on one page: give a shorter --title or fewer languages.');
  const gap = MIN_GAP + Math.max(0, room - middle.invitations.height - middle.panel.height) / 3;
  head.draw(0);
  middle.invitations.draw(head.height + gap);
  middle.panel.draw(head.height + gap + middle.invitations.height + gap);
  foot.draw(page.h - foot.height);
}

interface Block {
  height: number;
  draw(top: number): void;
}

/** Text measured and drawn in one font and size. */
class Measure {
  constructor(readonly doc: PDFKit.PDFDocument) {}
  set(font: Font, size: number, color?: string): PDFKit.PDFDocument {
    this.doc.font(font).fontSize(size);
    return color ? this.doc.fillColor(color) : this.doc;
  }
  height(font: Font, size: number, text: string, width: number): number {
    return this.set(font, size).heightOfString(text, { width });
  }
  width(font: Font, size: number, text: string): number {
    return this.set(font, size).widthOfString(text);
  }
  /** The largest size up to max at which every text holds on one line of the width (min if none). */
  fit(font: Font, texts: readonly string[], max: number, min: number, width: number): number {
    // A hair under the width: pdfkit wraps a line that fills it exactly.
    const widest = Math.max(...texts.map((t) => this.width(font, 1, t)));
    return Math.max(min, Math.min(max, Math.floor(((width * 0.98) / widest) * 10) / 10));
  }
  /** Items joined by a separator into as few lines of the width as they fill, no item split. */
  pack(font: Font, size: number, items: readonly string[], width: number): string[] {
    const lines: string[] = [];
    for (const item of unique(items)) {
      const last = lines.at(-1);
      if (last !== undefined && this.width(font, size, last + SEPARATOR + item) <= width * 0.98) lines[lines.length - 1] = last + SEPARATOR + item;
      else lines.push(item);
    }
    return lines;
  }
}

/** The blue head: the Mission's mark and name in each language, then the event's title and date. */
function headBlock(m: Measure, c: PosterContent, pageWidth: number): Block {
  const side = 28;
  const width = pageWidth - 2 * side;
  const base = sizes(c.invitations.length);
  const titled = c.title.length > 0;
  const mark = titled ? 24 : 30;
  const missionSize = titled ? 11 : 13;
  // The names on one line beside the mark when they fit; else in as few lines as they fill under it.
  const joined = unique(c.missions).join(SEPARATOR);
  const inline = m.width('bold', missionSize, joined) + mark + 10 <= width;
  const missions = inline ? [joined] : m.pack('bold', missionSize, c.missions, width);
  const missionHeight = missions.length * missionSize * 1.25;
  const titleSize = titled ? m.fit('narrowBold', c.title, base.title, 20, width) : 0;
  const titleText = c.title.join('\n');
  const titleHeight = titled ? 10 + m.height('narrowBold', titleSize, titleText, width) : 0;
  // The date with its weekday when that holds on one line, else without.
  const dateSize = 15;
  let dates: string[] = [];
  if (c.dates) {
    const full = m.pack('bold', dateSize, c.dates.full, width);
    dates = full.length === 1 ? full : m.pack('bold', dateSize, c.dates.short, width);
  }
  const dateHeight = dates.length ? 6 + dates.length * dateSize * 1.25 : 0;
  const top = (inline ? Math.max(mark, missionHeight) : mark + 8 + missionHeight);
  const height = PAD + top + titleHeight + dateHeight + PAD;
  return {
    height,
    draw(y0) {
      m.doc.rect(0, y0, pageWidth, height).fill(BLUE);
      let y = y0 + PAD;
      if (inline) {
        const x = (pageWidth - (m.width('bold', missionSize, joined) + mark + 10)) / 2;
        drawMark(m.doc, x, y + (top - mark) / 2, mark);
        m.set('bold', missionSize, titled ? BLUE_PALE : 'white').text(joined, x + mark + 10, y + (top - missionSize * 1.15) / 2, { lineBreak: false });
      } else {
        drawMark(m.doc, (pageWidth - mark) / 2, y, mark);
        missions.forEach((line, i) =>
          m.set('bold', missionSize, titled ? BLUE_PALE : 'white').text(line, side, y + mark + 8 + i * missionSize * 1.25, { width, align: 'center', lineBreak: false }),
        );
      }
      y += top;
      if (titled) {
        m.set('narrowBold', titleSize, 'white').text(titleText, side, y + 10, { width, align: 'center' });
        y += titleHeight;
      }
      dates.forEach((line, i) => m.set('bold', dateSize, BLUE_PALE).text(line, side, y + 6 + i * dateSize * 1.25, { width, align: 'center', lineBreak: false }));
    },
  };
}

/** The invitation in each language: a headline in the Mission's blue and a sentence under it. */
function invitationsBlock(m: Measure, c: PosterContent, scale: number, pageWidth: number): Block {
  const width = pageWidth - 2 * MARGIN;
  const base = sizes(c.invitations.length);
  const headline = Math.round(base.headline * scale);
  const text = Math.round(base.body * scale * 10) / 10;
  const between = Math.round(14 * scale);
  const heights = c.invitations.map((i) => m.height('bold', headline, i.headline, width) + 3 + m.height('regular', text, i.text, width));
  return {
    height: heights.reduce((a, b) => a + b, 0) + between * (heights.length - 1),
    draw(top) {
      let y = top;
      c.invitations.forEach((inv, i) => {
        const below = y + m.height('bold', headline, inv.headline, width) + 3;
        m.set('bold', headline, BLUE).text(inv.headline, MARGIN, y, { width, align: 'center' });
        m.set('regular', text, INK).text(inv.text, MARGIN, below, { width, align: 'center' });
        y += heights[i]! + between;
      });
    },
  };
}

/**
 * The codes on a pale panel: the main code with one call to action per language under it and its address; and
 * beside it, when the main code opens Telegram, the web chat's smaller code with its label in each language.
 */
function panelBlock(m: Measure, c: PosterContent, scale: number, qr: number, pageWidth: number): Block {
  const width = pageWidth - 2 * MARGIN;
  const inner = width - 2 * PAD;
  const base = sizes(c.invitations.length);
  const rule = 14; // either side of the line between the two codes
  // The second code's column is as wide as its label's longest line (within bounds); the main code has the rest.
  const small = Math.min(130, Math.max(100, Math.round(qr * 0.45)));
  const labelSize = Math.max(10, Math.min(14, base.cta * scale * 0.6));
  const longest = c.second ? Math.max(...c.second.lines.flatMap((l) => l.split('\n').map((t, i) => m.width(i ? 'narrow' : 'narrowBold', labelSize, t)))) : 0;
  const sideWidth = Math.min(190, Math.max(small + 20, Math.ceil(longest / 0.97)));
  const mainWidth = c.second ? inner - sideWidth - 2 * rule : inner;
  const code = Math.min(qr, mainWidth - 12);
  const ctaSize = m.fit('narrowBold', c.main.lines, base.cta * scale, 11, mainWidth);
  const urlSize = 9;
  // One line per language (a line too long even at the least size wraps rather than leave the panel).
  const ctaHeights = c.main.lines.map((l) => m.height('narrowBold', ctaSize, l, mainWidth) + ctaSize * 0.06);
  const mainHeight = code + 14 + ctaHeights.reduce((a, b) => a + b, 0) + 4 + m.height('narrow', urlSize, shown(c.main.url), mainWidth);

  // The second code's label: its first line (a question) in bold, the rest under it.
  const label = (size: number, w: number) => {
    const lines = c.second!.lines.map((l) => {
      const [lead = '', ...rest] = l.split('\n');
      return { lead, rest: rest.join('\n'), height: m.height('narrowBold', size, lead, w) + (rest.length ? m.height('narrow', size, rest.join('\n'), w) : 0) };
    });
    return { size, lines, height: lines.reduce((h, l) => h + l.height, 0) + 5 * (lines.length - 1) };
  };
  const drawLabel = (l: ReturnType<typeof label>, x: number, y: number, w: number) => {
    for (const line of l.lines) {
      const below = y + m.height('narrowBold', l.size, line.lead, w);
      m.set('narrowBold', l.size, BLUE_DARK).text(line.lead, x, y, { width: w, align: 'center' });
      if (line.rest) m.set('narrow', l.size, INK).text(line.rest, x, below, { width: w, align: 'center' });
      y += line.height + 5;
    }
    return y - 5;
  };
  const second = c.second && (() => {
    const l = label(labelSize, sideWidth);
    return { s: c.second, l, height: small + 12 + l.height + 4 + m.height('narrow', 7.5, shown(c.second.url), sideWidth) };
  })();
  const height = PAD + Math.max(mainHeight, second?.height ?? 0) + PAD;

  const qrTile = (code: Code['modules'], x: number, y: number, size: number) => {
    const pad = size > 150 ? 6 : 5;
    m.doc.roundedRect(x - pad, y - pad, size + 2 * pad, size + 2 * pad, pad + 2).fill('white');
    drawCode(m.doc, code, x, y, size);
  };
  return {
    height,
    draw(top) {
      m.doc.roundedRect(MARGIN, top, width, height, 14).fill(PANEL);
      const mx = MARGIN + PAD;
      let y = top + PAD;
      qrTile(c.main.modules, mx + (mainWidth - code) / 2, y, code);
      y += code + 14;
      c.main.lines.forEach((line, i) => {
        m.set('narrowBold', ctaSize, BLUE).text(line, mx, y, { width: mainWidth, align: 'center' });
        y += ctaHeights[i]!;
      });
      m.set('narrow', urlSize, GREY).text(shown(c.main.url), mx, y + 4, { width: mainWidth, align: 'center', link: c.main.url });
      if (!second) return;
      const s = second.s;
      const sx = mx + mainWidth + 2 * rule;
      m.doc.moveTo(sx - rule, top + PAD).lineTo(sx - rule, top + height - PAD).lineWidth(1).strokeColor(RULE).stroke();
      qrTile(s.modules, sx + (sideWidth - small) / 2, top + PAD, small);
      const end = drawLabel(second.l, sx, top + PAD + small + 12, sideWidth);
      m.set('narrow', 7.5, GREY).text(shown(s.url), sx, end + 4, { width: sideWidth, align: 'center', link: s.url });
    },
  };
}

/** The blue foot: the Mission's contacts, one column per language. */
function footBlock(m: Measure, footer: readonly string[], page: { w: number; h: number }): Block {
  const side = 28;
  const gap = 16;
  const pad = 16;
  const columns = footer.length;
  const colWidth = (page.w - 2 * side - gap * (columns - 1)) / columns;
  const size = columns > 2 ? 7.5 : 8.5;
  // "**Name** – office" becomes the name in bold over the office; "a · b" one line each.
  const blocks = footer.map((text) =>
    text.split('\n').flatMap((line) => {
      const bold = /^\*\*(.+?)\*\*\s*(?:[–—-]\s*)?(.*)$/.exec(line);
      const rest = (bold ? bold[2]! : line).split(' · ').filter(Boolean).map((t) => ({ font: 'narrow' as Font, text: t }));
      return bold ? [{ font: 'narrowBold' as Font, text: bold[1]! }, ...rest] : rest;
    }),
  );
  const lineHeights = blocks.map((b) => b.map((l) => m.height(l.font, size, l.text, colWidth) + 1));
  const height = 2 * pad + Math.max(...lineHeights.map((h) => h.reduce((a, b) => a + b, 0)));
  return {
    height,
    draw(top) {
      m.doc.rect(0, top, page.w, height).fill(BLUE);
      blocks.forEach((block, i) => {
        const x = side + i * (colWidth + gap);
        if (i > 0) m.doc.moveTo(x - gap / 2, top + pad).lineTo(x - gap / 2, top + height - pad).lineWidth(0.5).strokeColor('#4d87b8').stroke();
        let y = top + pad;
        block.forEach((line, j) => {
          m.set(line.font, size, line.font === 'narrowBold' ? 'white' : BLUE_PALE).text(line.text, x, y, { width: colWidth, align: columns === 1 ? 'center' : 'left' });
          y += lineHeights[i]![j]!;
        });
      });
    },
  };
}

/** A QR code as dark squares on the page, two modules of quiet zone inside the size, one rectangle per run. */
function drawCode(doc: PDFKit.PDFDocument, code: Code['modules'], x: number, y: number, size: number): void {
  const quiet = 2;
  const unit = size / (code.size + 2 * quiet);
  for (let row = 0; row < code.size; row++) {
    for (let col = 0; col < code.size; ) {
      if (!code.dark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < code.size && code.dark(row, col)) col++;
      // A hair of overlap so that no seam shows between neighbouring squares.
      doc.rect(x + (quiet + start) * unit, y + (quiet + row) * unit, (col - start) * unit, unit + 0.05);
    }
  }
  doc.fill('black');
}

/** The Mission's mark from the chat page's header: a white disc with a speech bubble in the Mission's blue. */
function drawMark(doc: PDFKit.PDFDocument, x: number, y: number, size: number): void {
  doc.save().translate(x, y).scale(size / 32);
  doc.circle(16, 16, 15).fill('white');
  doc.path('M9 11.5h14a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2h-7l-4.5 3.5V21.5H9a2 2 0 0 1-2-2v-6a2 2 0 0 1 2-2z').fill(BLUE);
  doc.restore();
}

/** An address as people type it: without the scheme. */
function shown(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
