/**
 * Corrects one-letter typos against the training vocabulary ("mandtae" → "mandate", "buxhetti" → "buxheti").
 * Like Norvig's corrector, it tries every word one edit away from an unknown word (a letter deleted, swapped
 * with the next, replaced or inserted) and keeps the most frequent known one. Nothing is precomputed beyond
 * word counts, so start-up pays nothing; a correction costs a few hundred set lookups.
 */
export interface SpellerState {
  words: string[];
  counts: Int32Array;
}

export class SpellingCorrector {
  private readonly frequency = new Map<string, number>();
  /** Corrections already worked out (bounded: made-up words must not grow it forever). */
  private readonly memo = new Map<string, string>();

  /** @param source the training words (with repeats), or the state of a corrector made before (`state()`). */
  constructor(
    source: Iterable<string> | SpellerState,
    private readonly minLength = 4,
  ) {
    if ('counts' in source) source.words.forEach((w, i) => this.frequency.set(w, source.counts[i]!));
    else for (const w of source) this.frequency.set(w, (this.frequency.get(w) ?? 0) + 1);
  }

  state(): SpellerState {
    return { words: [...this.frequency.keys()], counts: Int32Array.from(this.frequency.values()) };
  }

  has(word: string): boolean {
    return this.frequency.has(word);
  }

  /** The word itself when known or not correctable, else its most frequent known neighbour. */
  correct(word: string): string {
    if (this.frequency.has(word) || word.length < this.minLength || word.length > 20 || /\d/.test(word)) return word;
    const memo = this.memo.get(word);
    if (memo !== undefined) return memo;
    let best = word;
    let bestFrequency = 0;
    const consider = (candidate: string) => {
      const f = this.frequency.get(candidate);
      if (f !== undefined && f > bestFrequency) {
        best = candidate;
        bestFrequency = f;
      }
    };
    for (let i = 0; i <= word.length; i++) {
      const head = word.slice(0, i);
      const tail = word.slice(i);
      if (tail) consider(head + tail.slice(1));
      if (tail.length > 1) consider(head + tail[1] + tail[0] + tail.slice(2));
      for (const letter of LETTERS) {
        if (tail) consider(head + letter + tail.slice(1));
        consider(head + letter + tail);
      }
    }
    if (this.memo.size >= 10_000) this.memo.clear();
    this.memo.set(word, best);
    return best;
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
