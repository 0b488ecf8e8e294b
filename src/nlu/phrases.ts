import { fold } from './normalize.js';

const MAX_WORDS = 3;

/** Finds listed phrases of one to three words (compared folded) in a folded token list, longest first. */
export class PhraseIndex<T> {
  private readonly phrases = new Map<string, T>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [phrase, value] of entries) {
      const key = fold(phrase);
      if (key && !this.phrases.has(key)) this.phrases.set(key, value);
    }
  }

  find(tokens: readonly string[]): T | undefined {
    for (let n = Math.min(MAX_WORDS, tokens.length); n >= 1; n--) {
      for (let i = 0; i + n <= tokens.length; i++) {
        const value = this.phrases.get(n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' '));
        if (value !== undefined) return value;
      }
    }
    return undefined;
  }
}
