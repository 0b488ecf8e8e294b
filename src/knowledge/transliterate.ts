import { LATIN_TO_CYRILLIC } from '../core/serbian-script.js';

// Spans that stay Latin in Cyrillic text: links, e-mail addresses, @handles, #hashtags.
const PROTECTED = /(https?:\/\/\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\p{L}\p{N}_]+|\{\w+\})/gu;
const WORD = /[\p{L}]+/gu;
const LETTER = /\p{L}/u;
// A word with letters Serbian Latin does not have is foreign (English, Albanian): it stays as it is.
const FOREIGN = /[qwxyëçäöüéèáàíóúâêîôûñ]/i;

/**
 * Serbian Latin → Cyrillic, leaving alone what must stay Latin: links, e-mails, handles, hashtags,
 * placeholders, foreign words, and the names in `keepLatin` (Albanian place names, personal names).
 *
 * @example toCyrillic('Misija OEBS-a u gradu Peć/Pejë', ['Pejë']) === 'Мисија ОЕБС-а у граду Пећ/Pejë'
 */
export function toCyrillic(text: string, keepLatin: readonly string[] = []): string {
  const { keep, starts } = keptNames(keepLatin);
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(PROTECTED)) {
    out.push(convertWords(text.slice(last, m.index), keep, starts), m[0]);
    last = m.index + m[0].length;
  }
  out.push(convertWords(text.slice(last), keep, starts));
  return out.join('');
}

interface KeptNames {
  /** Longest first, so that "Fushë Kosovë" wins over "Fushë". */
  readonly keep: readonly string[];
  /** Only words starting with the first letter of a kept name can be one (saves a scan of the list at every word). */
  readonly starts: ReadonlySet<string | undefined>;
}

// Loading transliterates every text with the same list: it is sorted once per list, not once per text.
const prepared = new WeakMap<readonly string[], KeptNames>();

function keptNames(keepLatin: readonly string[]): KeptNames {
  let names = prepared.get(keepLatin);
  if (!names) {
    const keep = [...keepLatin].sort((a, b) => b.length - a.length);
    prepared.set(keepLatin, (names = { keep, starts: new Set(keep.map((k) => k[0])) }));
  }
  return names;
}

function convertWords(chunk: string, keep: readonly string[], starts: ReadonlySet<string | undefined>): string {
  let result = '';
  let i = 0;
  while (i < chunk.length) {
    const wordStart = starts.has(chunk[i]) && (i === 0 || !LETTER.test(chunk[i - 1]!));
    const kept = wordStart ? keep.find((k) => chunk.startsWith(k, i)) : undefined;
    if (kept) {
      result += kept;
      i += kept.length;
      continue;
    }
    WORD.lastIndex = i;
    const m = WORD.exec(chunk);
    if (!m || m.index !== i) {
      result += chunk[i];
      i += 1;
      continue;
    }
    result += FOREIGN.test(m[0]) ? m[0] : convertWord(m[0]);
    i += m[0].length;
  }
  return result;
}

function convertWord(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; ) {
    const two = word.slice(i, i + 2);
    const pair = LATIN_TO_CYRILLIC[two.toLowerCase()];
    if (two.length === 2 && pair) {
      // "Lj" and "LJ" are one capital letter.
      out += two[0] === two[0]!.toLowerCase() ? pair : pair.toUpperCase();
      i += 2;
      continue;
    }
    const ch = word[i]!;
    const single = LATIN_TO_CYRILLIC[ch.toLowerCase()];
    out += single === undefined ? ch : ch === ch.toLowerCase() ? single : single.toUpperCase();
    i += 1;
  }
  return out;
}
