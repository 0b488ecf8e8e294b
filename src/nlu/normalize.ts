import { CYRILLIC_TO_LATIN } from '../core/serbian-script.js';

const CYRILLIC = /[\u0400-\u04FF]/g;
const LATIN = /[A-Za-z\u00C0-\u024F]/g;
const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const ASCII = /^[\x20-\x7E]*$/;
const NOT_WORD_ASCII = /[^a-z0-9]+/g;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/g;

/**
 * Folds text to the form both training phrases and questions are matched in: Unicode-normalised,
 * lower case, Serbian Cyrillic turned into Latin, `đ` → `dj`, diacritics dropped (ë ç č ć š ž → e c c c s z),
 * punctuation turned into single spaces. People type `pec`, `Пећ` and `Peć` alike; all become `pec`.
 *
 * @example fold('Ku është zyra në Pejë?') === 'ku eshte zyra ne peje'
 * @example fold('Где је канцеларија у Пећи?') === 'gde je kancelarija u peci'
 */
export function fold(text: string): string {
  // Most messages are plain ASCII: skip the Unicode work for them.
  if (ASCII.test(text)) return text.toLowerCase().replace(NOT_WORD_ASCII, ' ').trim();
  let s = text.normalize('NFKC').toLowerCase();
  s = s.replace(CYRILLIC, (ch) => CYRILLIC_TO_LATIN[ch] ?? ch);
  s = s.replace(/đ/g, 'dj').normalize('NFD').replace(MARKS, '');
  // Letters NFD cannot decompose.
  s = s.replace(/ł/g, 'l').replace(/ø/g, 'o').replace(/ß/g, 'ss').replace(/æ/g, 'ae').replace(/ı/g, 'i');
  return s.replace(NOT_WORD, ' ').trim();
}

/** Removes control characters, markup tags and invisible noise, keeping what a person could have meant. */
export function clean(text: string): string {
  return text
    .replace(CONTROL, ' ')
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/[\u200B-\u200F\u2028-\u202E\u2060-\u206F]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export type Script = 'Latn' | 'Cyrl' | 'none';

/** The script most letters of the text are in. */
export function scriptOf(text: string): Script {
  const cyr = text.match(CYRILLIC)?.length ?? 0;
  const lat = text.match(LATIN)?.length ?? 0;
  if (cyr === 0 && lat === 0) return 'none';
  return cyr > lat ? 'Cyrl' : 'Latn';
}

/** True when the text holds at least one letter or digit of any script (not only emoji or punctuation). */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
