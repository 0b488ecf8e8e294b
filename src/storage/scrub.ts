import { printable } from './printable.js';

/**
 * Removes what could identify a person from a question kept for review: e-mail addresses (obfuscated ones too),
 * links, @handles, licence plates, phone numbers and other long digit runs. Names cannot be told from words
 * reliably and are left to retention.
 *
 * The text is normalised before it is looked at, so that what a pattern misses cannot reappear in the stored
 * folded column: Unicode NFKC (full-width `０４４` and mathematical `𝟎` digits become ASCII, `＠` becomes `@`),
 * then control and format characters are removed (a zero-width space between digits hides nothing) – which also
 * makes the stored text safe to print (see printable.ts).
 *
 * Callers pass bounded text (a few hundred characters): the patterns are linear in practice but not designed for
 * 100 kB of paste.
 *
 * @example scrub('I am ana@x.org, call +383 44 123 456') === 'I am [e-mail], call [phone]'
 * @example scrub('ana [at] mail dot com, car 01-123-AB') === '[e-mail], car [plate]'
 */
export function scrub(text: string): string {
  return printable(text.normalize('NFKC'))
    .replace(/ {2,}/g, ' ')
    .trim()
    .replace(EMAIL, '[e-mail]')
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, '[link]')
    .replace(/(?<![\p{L}\p{N}])@[\p{L}\p{N}_]{3,}/gu, '[handle]')
    .replace(PLATE, '[plate]')
    .replace(/\+?\p{Nd}[\p{Nd}\s().\/\p{Pd}]{6,}\p{Nd}/gu, (m) => (m.replace(/\P{Nd}/gu, '').length >= 7 ? '[phone]' : m))
    .replace(/\p{Nd}{5,}/gu, '[number]');
}

// E-mail addresses. The local part starts a run of its letters (the lookbehind) and every part is bounded, so a
// long run without an address costs linear time. Three shapes:
//  - a separator that says "e-mail" alone: `ana@mail.com`, `ana@mail`, `ana(at)mail`, `ana [at] mail dot com`
//    (Serbian writes "majmun", Albanian sometimes "et");
//  - a spaced `@`, `ana @ mail.com`, which counts only with a dotted domain ending in a word of letters, so that
//    "ask @ the desk" stays; a bare "at" only with a dot written as a word, `ana at mail dot com`, so that "look
//    at 5.30" and "is it at osce.org?" stay;
//  - dots written as words: "dot", Albanian "pika", Serbian "tačka".
const LOCAL = String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}`;
const LABEL = String.raw`[\p{L}\p{N}-]{1,63}`;
const TLD = String.raw`\p{L}{2,24}(?![\p{L}\p{N}])`;
const BRACKETED = (words: string) => String.raw`\s*[(\[{<]\s*(?:${words})\s*[)\]}>]\s*`;
const WORD_DOT = String.raw`(?:${BRACKETED('dot|pika|ta[cč]ka')}|\s+(?:dot|pika|ta[cč]ka)\s+)`;
const DOT = String.raw`(?:\.|${WORD_DOT})`;
const EMAIL = new RegExp(
  `${LOCAL}(?:(?:@|${BRACKETED('at|et|majmun|@')})${LABEL}(?:${DOT}${LABEL}){0,8}` +
    String.raw`|(?:\s+@\s*|\s*@\s+)${LABEL}(?:${DOT}${LABEL}){0,7}${DOT}${TLD}` +
    String.raw`|\s+at\s+${LABEL}(?:${DOT}${LABEL}){0,7}${WORD_DOT}${TLD})`,
  'giu',
);

// Licence plates, as people type them (upper case, or lower case with hyphens):
//  - Kosovo: region 01–07, three digits, two letters – `01-123-AB`, `01 123 AB`, `01123AB`; the older `123-KS-456`;
//  - Serbia (also used in the north of Kosovo): two letters, three to five digits, two letters – `BG 123-AB`,
//    `KM 1234-AB`, `NS123AB`, in Latin or Cyrillic letters.
const UPPER = 'A-ZČĆĐŠŽА-ЯЂЈЉЊЋЏ';
const LOWER = 'a-zčćđšžа-яђјљњћџ';
const PLATE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:` +
    String.raw`0[1-7][ -]?\p{Nd}{3}[ -]?[A-Z]{2}|0[1-7]-\p{Nd}{3}-[a-z]{2}|\p{Nd}{3}[ -]?KS[ -]?\p{Nd}{3}` +
    String.raw`|[${UPPER}]{2}[ -]?\p{Nd}{3,5}[ -]?[${UPPER}]{2}|[${LOWER}]{2}[ -]?\p{Nd}{3,5}-[${LOWER}]{2}` +
    String.raw`)(?![\p{L}\p{N}])`,
  'gu',
);
