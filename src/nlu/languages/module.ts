import type { Language } from '../../core/locale.js';

/**
 * What the engine needs to know of one language, besides its data (`intents/languages/<id>.yaml`): like NLP.js's
 * `lang-xx` packages, everything particular to a language lives in its module, so that adding one (Bosnian and
 * Turkish are official in several municipalities) means a new module and its data, not edits across the engine.
 * All methods work on folded tokens (see ../normalize.ts: lower case, no diacritics, Serbian in Latin).
 */
export interface LanguageModule {
  readonly id: Language;
  /** Letters that only this language writes among ours: a person who types them has told us the language. */
  readonly letters?: RegExp;
  /** The stem of a token: inflected forms that mean the same share it (misioni, misionit → mision). */
  stem(token: string): string;
  /**
   * Other spellings of a token the vocabulary does not know, most likely first: the same word in another
   * variety or dialect (Ijekavian "sjever" → "sever", Gheg "ndihmue" → "ndihmuar"). The engine keeps the first
   * one it knows, so a rule may propose freely.
   */
  variants(token: string): readonly string[];
}

/**
 * A light suffix stripper: removes the longest ending of the list while keeping a stem of at least `minStem`
 * letters. Used where natural has no stemmer (Albanian, Serbian): it conflates the forms people type without
 * trying to be a linguistic analyser, since over-stemming a few words costs less than missing inflected forms.
 */
export function suffixStripper(suffixes: readonly string[], minStem = 3): (token: string) => string {
  const sorted = [...suffixes].sort((a, b) => b.length - a.length);
  return (token) => {
    if (token.length <= minStem || /\d/.test(token)) return token;
    for (const suffix of sorted) if (token.endsWith(suffix) && token.length - suffix.length >= minStem) return token.slice(0, -suffix.length);
    return token;
  };
}

// Words repeat a lot across phrases and questions: each language keeps the stems it has computed
// (bounded, so that a stream of made-up words cannot grow it without limit).
const MEMO_LIMIT = 50_000;

export function memoized(f: (token: string) => string): (token: string) => string {
  const memo = new Map<string, string>();
  return (token) => {
    let s = memo.get(token);
    if (s === undefined) {
      s = f(token);
      if (memo.size < MEMO_LIMIT) memo.set(token, s);
    }
    return s;
  };
}
