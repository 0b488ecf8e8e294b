import { fold } from './normalize.js';

const MAX_WORDS = 3;

/** Finds listed phrases of one to three words (compared folded) in a folded token list, longest first. */
export class PhraseIndex<T> {
  private readonly phrases = new Map<string, T>();
  /** First words of phrases of several words: only these start a longer lookup. */
  private readonly firstWords = new Set<string>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [phrase, value] of entries) {
      const key = fold(phrase);
      if (!key || this.phrases.has(key)) continue;
      this.phrases.set(key, value);
      if (key.includes(' ')) this.firstWords.add(key.slice(0, key.indexOf(' ')));
    }
  }

  find(tokens: readonly string[]): T | undefined {
    return this.findSpan(tokens)?.value;
  }

  /** Every listed phrase of the tokens in order, the longest at each place, none overlapping. */
  findAll(tokens: readonly string[]): { value: T; start: number; end: number }[] {
    const found: { value: T; start: number; end: number }[] = [];
    for (let i = 0; i < tokens.length; ) {
      const span = this.spanAt(tokens, i);
      if (span) found.push(span);
      i = span ? span.end : i + 1;
    }
    return found;
  }

  private spanAt(tokens: readonly string[], i: number): { value: T; start: number; end: number } | undefined {
    if (this.firstWords.has(tokens[i]!)) {
      for (let n = Math.min(MAX_WORDS, tokens.length - i); n >= 2; n--) {
        const value = this.phrases.get(tokens.slice(i, i + n).join(' '));
        if (value !== undefined) return { value, start: i, end: i + n };
      }
    }
    const value = this.phrases.get(tokens[i]!);
    return value === undefined ? undefined : { value, start: i, end: i + 1 };
  }

  /** The first listed phrase of the tokens (a longer one before a single word), with where it stands. */
  findSpan(tokens: readonly string[]): { value: T; start: number; end: number } | undefined {
    let single: { value: T; start: number; end: number } | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const span = this.spanAt(tokens, i);
      if (span && span.end - span.start > 1) return span;
      single ??= span;
    }
    return single;
  }
}
