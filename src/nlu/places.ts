import Fuse from 'fuse.js';
import type { Place } from '../knowledge/types.js';
import { fold } from './normalize.js';

export interface PlaceMention {
  readonly place: Place;
  /** Token span [start, end) in the folded token list. */
  readonly start: number;
  readonly end: number;
}

interface Alias {
  readonly text: string;
  readonly place: Place;
}

const MAX_WORDS = 3;

/**
 * Finds place names in a folded token list: exact forms first (official names in both languages and
 * scripts, declined forms, common spellings), then fuse.js for typos ("prishitna", "gnilane") on words
 * that are not otherwise known, so that ordinary words are never mistaken for towns.
 */
export class PlaceFinder {
  private readonly exact = new Map<string, Place>();
  /** First words of names of more than one word ("fushe" of "fushe kosove"): only these start a longer lookup. */
  private readonly firstWords = new Set<string>();
  private readonly fuse = new Map<string, Fuse<Alias>>();

  constructor(places: readonly Place[]) {
    const aliases: Alias[] = [];
    for (const place of places) {
      const notAlone = new Set(place.not_alone.map(fold));
      const forms = [place.names.sq, place.names['sr-Latn'], place.names['sr-Cyrl'], ...place.spellings].map(fold);
      for (const form of new Set(forms)) {
        if (!form || notAlone.has(form)) continue;
        this.exact.set(form, place);
        if (form.includes(' ')) this.firstWords.add(form.slice(0, form.indexOf(' ')));
        if (!form.includes(' ') && form.length >= 5) aliases.push({ text: form, place });
      }
    }
    for (const letter of new Set(aliases.map((a) => a.text[0]!))) {
      const bucket = aliases.filter((a) => a.text[0] === letter);
      this.fuse.set(letter, new Fuse(bucket, { keys: ['text'], includeScore: true, threshold: 0.3, ignoreLocation: true, minMatchCharLength: 4 }));
    }
  }

  /**
   * Place mentions in a folded token list. `correct` maps a word to its typo correction (itself when known
   * or uncorrectable); `known` tells words of the training vocabulary, which are never fuzzily read as towns.
   */
  find(tokens: readonly string[], known: (word: string) => boolean, correct: (word: string) => string = (w) => w): PlaceMention[] {
    const found: PlaceMention[] = [];
    for (let i = 0; i < tokens.length; ) {
      const exact = this.exactAt(tokens, i);
      if (exact) {
        found.push({ place: exact.place, start: i, end: i + exact.words });
        i += exact.words;
        continue;
      }
      const token = tokens[i]!;
      const corrected = correct(token);
      const place = this.exact.get(corrected) ?? (known(corrected) ? undefined : this.fuzzy(token));
      if (place) found.push({ place, start: i, end: i + 1 });
      i += 1;
    }
    return found;
  }

  private exactAt(tokens: readonly string[], i: number): { place: Place; words: number } | undefined {
    const longest = this.firstWords.has(tokens[i]!) ? Math.min(MAX_WORDS, tokens.length - i) : 1;
    for (let n = longest; n >= 1; n--) {
      const place = this.exact.get(n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' '));
      if (place) return { place, words: n };
    }
    return undefined;
  }

  private fuzzy(token: string): Place | undefined {
    if (token.length < 5 || /\d/.test(token)) return undefined;
    // Typos rarely hit the first letter: searching only names that start with it keeps this fast.
    const best = this.fuse.get(token[0]!)?.search(token, { limit: 1 })[0];
    return best && (best.score ?? 1) <= 0.25 ? best.item.place : undefined;
  }
}
