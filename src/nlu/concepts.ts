import { fold } from './normalize.js';

/** A word list as data: whole words, `prefix*` for any ending, and phrases of several words. */
export interface WordList {
  readonly id: string;
  readonly words: readonly string[];
}

interface Phrase {
  /** The words after the first, each whole or a prefix (`zone mbrojt*`). */
  readonly words: readonly { readonly text: string; readonly open: boolean }[];
  readonly id: string;
}

const MIN_PREFIX = 3;

/**
 * Finds which lists (concepts, a language's courtesy words…) each word of a folded message belongs to. Words are
 * matched whole, then by the longest listed prefix (`polic*` for police, policia, policajac), and phrases of
 * several words on consecutive tokens. Lists are folded as messages are, so Cyrillic entries match Latin text.
 *
 * @example new WordFinder([{ id: 'police', words: ['polic*', 'cop'] }]).find(['a', 'cop']) // → [[], ['police']]
 */
export class WordFinder {
  private readonly exact = new Map<string, string[]>();
  private readonly prefixes = new Map<string, string[]>();
  private readonly phrases = new Map<string, Phrase[]>();
  /** First words of phrases that are prefixes (`baz* ligjor*`). */
  private readonly phraseHeads = new Set<string>();
  private longestPrefix = 0;

  constructor(lists: readonly WordList[]) {
    for (const { id, words } of lists) {
      for (const raw of words) {
        const parts = raw
          .trim()
          .split(/\s+/)
          .map((w) => ({ text: fold(w), open: w.endsWith('*') }))
          .filter((w) => w.text);
        const first = parts[0];
        if (!first) continue;
        if (parts.length > 1) {
          // Phrases are looked up by their first word; a first word with `*` by its whole prefix.
          const list = this.phrases.get(first.text) ?? [];
          list.push({ words: parts.slice(1), id });
          this.phrases.set(first.text, list);
          if (first.open) this.phraseHeads.add(first.text);
        } else if (first.open && first.text.length >= MIN_PREFIX) {
          add(this.prefixes, first.text, id);
          this.longestPrefix = Math.max(this.longestPrefix, first.text.length);
        } else add(this.exact, first.text, id);
      }
    }
  }

  /** The ids each token belongs to, by position (phrases mark every token they cover). */
  find(tokens: readonly string[]): string[][] {
    const found = tokens.map((t) => this.ofWord(t));
    if (this.phrases.size === 0) return found;
    for (let i = 0; i < tokens.length; i++) {
      for (const phrase of this.phrasesAt(tokens[i]!)) {
        const n = phrase.words.length;
        if (i + n >= tokens.length) continue;
        const matches = phrase.words.every((w, k) => (w.open ? tokens[i + 1 + k]!.startsWith(w.text) : tokens[i + 1 + k] === w.text));
        if (matches) for (let k = 0; k <= n; k++) if (!found[i + k]!.includes(phrase.id)) found[i + k]!.push(phrase.id);
      }
    }
    return found;
  }

  /** Phrases that may start with this word: listed under it, or under a prefix of it. */
  private phrasesAt(token: string): Phrase[] {
    const whole = this.phrases.get(token) ?? [];
    if (this.phraseHeads.size === 0) return whole;
    const out = [...whole];
    for (let n = MIN_PREFIX; n < token.length; n++) {
      const head = token.slice(0, n);
      if (this.phraseHeads.has(head)) out.push(...this.phrases.get(head)!);
    }
    return out;
  }

  /** The ids of one word: exact entries, then those of its longest listed prefix. */
  ofWord(token: string): string[] {
    const ids = [...(this.exact.get(token) ?? [])];
    for (let n = Math.min(token.length, this.longestPrefix); n >= MIN_PREFIX; n--) {
      const hit = this.prefixes.get(n === token.length ? token : token.slice(0, n));
      if (!hit) continue;
      for (const id of hit) if (!ids.includes(id)) ids.push(id);
      break;
    }
    return ids;
  }
}

function add(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (!list.includes(id)) list.push(id);
}
