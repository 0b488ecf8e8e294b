import type { Language } from '../core/locale.js';
import type { LanguageData } from '../knowledge/types.js';
import { WordFinder } from './concepts.js';
import { LANGUAGE_MODULES } from './languages/index.js';
import { fold } from './normalize.js';

/** The cue lists of each language's data (intents/languages/): what the words of a message say besides its topic. */
export type Cue = 'self' | 'you' | 'courtesy' | 'origin' | 'anaphora' | 'request' | 'continuation' | 'there' | 'negation';
const CUES: readonly Cue[] = ['self', 'you', 'courtesy', 'origin', 'anaphora', 'request', 'continuation', 'there', 'negation'];

/** The cues each token of a message belongs to, by position. */
export type Marks = readonly (readonly string[])[];

/**
 * Each language's cue words, variant spellings and function words, looked up on folded tokens.
 *
 * @example cues.marks('en', ['thanks', 'where', 'are', 'you']) // → [['courtesy'], [], [], ['you']]
 */
export class LanguageCues {
  private readonly finders: ReadonlyMap<Language, WordFinder>;
  private readonly variants: ReadonlyMap<Language, ReadonlyMap<string, string>>;
  private readonly functionWords: ReadonlyMap<Language, ReadonlySet<string>>;

  constructor(data: readonly LanguageData[]) {
    const byLanguage = new Map(data.map((d) => [d.language, d]));
    const of = (language: Language) => byLanguage.get(language);
    this.finders = new Map(LANGUAGE_MODULES.map((m) => [m.id, new WordFinder(CUES.map((cue) => ({ id: cue, words: of(m.id)?.[cue] ?? [] })))]));
    this.variants = new Map(LANGUAGE_MODULES.map((m) => [m.id, new Map(Object.entries(of(m.id)?.variants ?? {}).map(([k, v]) => [fold(k), fold(v)]))]));
    // Single words of every list, and the language's cue words: they say nothing of which answer a message means.
    this.functionWords = new Map(
      LANGUAGE_MODULES.map((m) => {
        const d = of(m.id);
        const lists = d ? [d.cues, ...CUES.map((cue) => d[cue])] : [];
        return [m.id, new Set(lists.flat().filter((w) => !w.includes('*') && !w.includes(' ')).map(fold))];
      }),
    );
  }

  marks(language: Language, tokens: readonly string[]): Marks {
    return this.finders.get(language)!.find(tokens);
  }

  /** The word the training phrases use for a dialect's or variety's word, if the language data lists one. */
  variant(language: Language, token: string): string | undefined {
    return this.variants.get(language)!.get(token);
  }

  isFunctionWord(language: Language, word: string): boolean {
    return this.functionWords.get(language)!.has(word);
  }
}

/** Whether any token (or the first, for `continuation`) carries the cue. */
export function hasCue(marks: Marks, cue: Cue): boolean {
  return cue === 'continuation' ? (marks[0]?.includes(cue) ?? false) : marks.some((m) => m.includes(cue));
}
