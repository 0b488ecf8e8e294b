import { fold } from './normalize.js';

/** A word list as data: whole words, `prefix*` for any ending, and phrases of several words. */
export interface WordList {
  readonly id: string;
  readonly words: readonly string[];
}

interface Phrase {
  readonly words: readonly string[];
  /** The last word is a prefix (`zone mbrojt*`). */
  readonly open: boolean;
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
  private longestPrefix = 0;

  constructor(lists: readonly WordList[]) {
    for (const { id, words } of lists) {
      for (const raw of words) {
        const open = raw.trim().endsWith('*');
        const parts = fold(raw).split(' ').filter(Boolean);
        if (parts.length === 0) continue;
        if (parts.length > 1) {
          const list = this.phrases.get(parts[0]!) ?? [];
          list.push({ words: parts, open, id });
          this.phrases.set(parts[0]!, list);
        } else if (open && parts[0]!.length >= MIN_PREFIX) {
          add(this.prefixes, parts[0]!, id);
          this.longestPrefix = Math.max(this.longestPrefix, parts[0]!.length);
        } else add(this.exact, parts[0]!, id);
      }
    }
  }

  /** The ids each token belongs to, by position (phrases mark every token they cover). */
  find(tokens: readonly string[]): string[][] {
    const found = tokens.map((t) => this.ofWord(t));
    for (let i = 0; i < tokens.length; i++) {
      for (const phrase of this.phrases.get(tokens[i]!) ?? []) {
        const n = phrase.words.length;
        if (i + n > tokens.length) continue;
        let matches = true;
        for (let k = 1; k < n && matches; k++) {
          const token = tokens[i + k]!;
          const word = phrase.words[k]!;
          matches = k === n - 1 && phrase.open ? token.startsWith(word) : token === word;
        }
        if (matches) for (let k = 0; k < n; k++) if (!found[i + k]!.includes(phrase.id)) found[i + k]!.push(phrase.id);
      }
    }
    return found;
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
