import { CYRILLIC_TO_LATIN } from '../core/serbian-script.js';

const CYRILLIC = /[\u0400-\u04FF]/g;
const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
// An apostrophe and s ending a word. Albanian elides before the apostrophe ("s'ka", "t'ju"), so it is untouched.
const ENGLISH_S = /(\p{L})['\u2019]s(?![\p{L}\p{N}])/giu;
// An e-mail address, matched only from the start of a run of its letters (the lookbehind) and with bounded parts,
// so that a long run without "@" costs linear time: an unanchored pattern backtracked quadratically on 1,000
// letters (found by the fuzz tests).
const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu;
// Hashtags, @handles and links: written in Latin whatever the language around them.
const NOT_PROSE = /[#@][\p{L}\p{N}_]+|\b(?:https?:\/\/|www\.)\S+/gu;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/g;

/**
 * Folds text to the form both training phrases and questions are matched in: Unicode-normalised,
 * lower case, Serbian Cyrillic turned into Latin, `đ` → `dj`, diacritics dropped (ë ç č ć š ž → e c c c s z),
 * punctuation turned into single spaces. People type `pec`, `Пећ` and `Peć` alike; all become `pec`.
 * Albanian `q` also becomes `c`: in Kosovo people write `ç` as `q` (`qka`, `Zveqan` for `çka`, `Zveçan`).
 *
 * @example fold('Ku është zyra në Pejë?') === 'ku eshte zyra ne peje'
 * @example fold('Где је канцеларија у Пећи?') === 'gde je kancelarija u peci'
 */
export function fold(text: string): string {
  // Loading checks every training phrase and training folds them again; questions are folded by several steps.
  const known = memo.get(text);
  if (known !== undefined) return known;
  // English "what's", "the mission's": the "s" would be a word of its own, and a misleading one.
  const folded = foldOnce(text.includes("'") || text.includes('\u2019') ? text.replace(ENGLISH_S, '$1') : text);
  if (text.length <= MEMO_TEXT) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, folded);
  }
  return folded;
}

// Bounded in entries and in their length, so that memory stays small whatever people send. A few thousand entries
// serve the checks at start-up as well as twenty thousand did, without holding megabytes of folded phrases after.
const memo = new Map<string, string>();
const MEMO_LIMIT = 2_000;
const MEMO_TEXT = 200;

function foldOnce(text: string): string {
  // A single pass through a table covers ASCII, our languages' letters and Cyrillic; anything else
  // (other accents, other scripts, compatibility forms) takes the general Unicode path.
  let out = '';
  let space = true;
  for (let i = 0; i < text.length; i++) {
    const folded = FAST[text.charCodeAt(i)];
    if (folded === undefined) return foldUnicode(text);
    if (folded === '') continue;
    if (folded === ' ') {
      if (!space) out += ' ';
      space = true;
    } else {
      out += folded;
      space = false;
    }
  }
  return space ? out.slice(0, -1) : out;
}

function foldUnicode(text: string): string {
  let s = text.normalize('NFKC').toLowerCase();
  s = s.replace(CYRILLIC, (ch) => CYRILLIC_TO_LATIN[ch] ?? ch);
  s = s.replace(/đ/g, 'dj').normalize('NFD').replace(MARKS, '');
  // Letters NFD cannot decompose.
  s = s.replace(/q/g, 'c').replace(/ł/g, 'l').replace(/ø/g, 'o').replace(/ß/g, 'ss').replace(/æ/g, 'ae').replace(/ı/g, 'i');
  return s.replace(NOT_WORD, ' ').trim();
}

/** What fold() makes of each character it can handle without Unicode normalisation, by code. */
const FAST: (string | undefined)[] = (() => {
  const table: (string | undefined)[] = [];
  for (let c = 0; c < 128; c++) table[c] = ' ';
  for (let c = 48; c < 58; c++) table[c] = String.fromCharCode(c);
  for (let c = 97; c < 123; c++) table[c] = table[c - 32] = String.fromCharCode(c);
  table[113] = table[81] = 'c'; // q, Q
  const letters: Record<string, string> = { ë: 'e', ç: 'c', č: 'c', ć: 'c', š: 's', ž: 'z', đ: 'dj', é: 'e', è: 'e', à: 'a', á: 'a', ö: 'o', ü: 'u', ä: 'a' };
  for (const [ch, to] of Object.entries(letters)) table[ch.charCodeAt(0)] = table[ch.toUpperCase().charCodeAt(0)] = to;
  for (const [ch, to] of Object.entries(CYRILLIC_TO_LATIN)) {
    const latin = to.replace(/đ/g, 'dj').normalize('NFD').replace(MARKS, '');
    table[ch.charCodeAt(0)] = table[ch.toUpperCase().charCodeAt(0)] = latin;
  }
  for (const ch of '\u00A0\u2013\u2014\u2018\u2019\u201C\u201D\u201E\u2026\u00AB\u00BB') table[ch.charCodeAt(0)] = ' ';
  return table;
})();

/**
 * Removes control characters, markup tags and invisible noise, keeping what a person could have meant. E-mail
 * addresses and links are left out too: their parts ("ana", "example", "org") say nothing of the question.
 */
export function clean(text: string): string {
  return text
    .replace(CONTROL, ' ')
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(EMAIL, ' ')
    .replace(/\b(https?:\/\/|www\.)\S+/giu, ' ')
    .replace(/[\u200B-\u200F\u2028-\u202E\u2060-\u206F]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export type Script = 'Latn' | 'Cyrl' | 'none';

/** The script most letters of the text are in; hashtags, @handles and links do not count ("Шта је #UnitedCVE?"). */
export function scriptOf(text: string): Script {
  let cyrillic = 0;
  let latin = 0;
  if (text.includes('#') || text.includes('@') || text.includes('/')) text = text.replace(NOT_PROSE, ' ');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x400 && c <= 0x4ff) cyrillic++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f)) latin++;
  }
  if (cyrillic === 0 && latin === 0) return 'none';
  return cyrillic > latin ? 'Cyrl' : 'Latn';
}

/** True when the text holds at least one letter or digit of any script (not only emoji or punctuation). */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
