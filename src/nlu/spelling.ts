import { DamerauLevenshteinDistance } from 'natural/lib/natural/distance/levenshtein_distance.js';

/**
 * Corrects one-letter typos against the training vocabulary ("mandtae" → "mandate", "buxhetti" → "buxheti").
 * Candidates come from a deletion index (every word with each single letter removed, as SymSpell does), so a
 * lookup costs a few map reads instead of a scan of the vocabulary; natural's Damerau–Levenshtein distance
 * confirms each candidate. Among candidates, the most frequent word wins.
 */
export class SpellingCorrector {
  private readonly frequency = new Map<string, number>();
  private readonly deletions = new Map<string, string[]>();

  constructor(words: Iterable<string>, private readonly minLength = 4) {
    for (const w of words) this.frequency.set(w, (this.frequency.get(w) ?? 0) + 1);
    for (const w of this.frequency.keys()) {
      if (w.length < minLength || /\d/.test(w)) continue;
      for (const key of [w, ...deletionsOf(w)]) {
        const list = this.deletions.get(key);
        if (list) list.push(w);
        else this.deletions.set(key, [w]);
      }
    }
  }

  has(word: string): boolean {
    return this.frequency.has(word);
  }

  /** The word itself when known or not correctable, else its closest known word. */
  correct(word: string): string {
    if (this.frequency.has(word) || word.length < this.minLength || /\d/.test(word)) return word;
    let best = word;
    let bestFrequency = 0;
    for (const key of [word, ...deletionsOf(word)]) {
      for (const candidate of this.deletions.get(key) ?? []) {
        const f = this.frequency.get(candidate) ?? 0;
        if (f > bestFrequency && DamerauLevenshteinDistance(word, candidate, { restricted: true }) <= 1) {
          best = candidate;
          bestFrequency = f;
        }
      }
    }
    return best;
  }
}

function deletionsOf(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}
