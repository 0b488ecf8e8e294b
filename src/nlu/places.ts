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
  private readonly fuse: Fuse<Alias>;

  constructor(places: readonly Place[]) {
    const aliases: Alias[] = [];
    for (const place of places) {
      const notAlone = new Set(place.not_alone.map(fold));
      const forms = [place.names.sq, place.names['sr-Latn'], place.names['sr-Cyrl'], ...place.spellings].map(fold);
      for (const form of new Set(forms)) {
        if (!form || notAlone.has(form)) continue;
        this.exact.set(form, place);
        if (!form.includes(' ') && form.length >= 5) aliases.push({ text: form, place });
      }
    }
    this.fuse = new Fuse(aliases, { keys: ['text'], includeScore: true, threshold: 0.3, ignoreLocation: true, minMatchCharLength: 4 });
  }

  /** @param known words the classifier knows: never fuzzily read as place names. */
  find(tokens: readonly string[], known: (word: string) => boolean): PlaceMention[] {
    const found: PlaceMention[] = [];
    for (let i = 0; i < tokens.length; ) {
      let matched = false;
      for (let n = Math.min(MAX_WORDS, tokens.length - i); n >= 1; n--) {
        const place = this.exact.get(tokens.slice(i, i + n).join(' '));
        if (place) {
          found.push({ place, start: i, end: i + n });
          i += n;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      const token = tokens[i]!;
      if (token.length >= 5 && !known(token) && !/\d/.test(token)) {
        const best = this.fuse.search(token, { limit: 1 })[0];
        if (best && (best.score ?? 1) <= 0.25) found.push({ place: best.item.place, start: i, end: i + 1 });
      }
      i += 1;
    }
    return found;
  }
}
