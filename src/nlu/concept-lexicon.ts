import type { Language } from '../core/locale.js';
import type { KnowledgeBase } from '../knowledge/types.js';
import { WordFinder } from './concepts.js';
import { LANGUAGE_MODULES } from './languages/index.js';

/** English words of at least this many letters are looked for in messages in the other languages too. */
const LOANWORD = 6;

/**
 * The lexicon's concepts (intents/lexicon/), looked up per language: a message's words in its own language, the
 * words listed for any language (slang, neighbouring languages), and English phrases and longer words, which
 * travel into the other languages ("community policing", "budget", "cybercrime"); short English words ("fund",
 * "top") mean other things there.
 */
export class ConceptLexicon {
  private readonly finders: ReadonlyMap<Language, WordFinder>;
  /** Every language's words at once: the answers hold all our languages. */
  readonly anyLanguage: WordFinder;
  private readonly topical: ReadonlySet<string>;
  private readonly startOnly: ReadonlySet<string>;

  constructor(concepts: KnowledgeBase['concepts']) {
    const loanwords = (c: (typeof concepts)[number]) => (c.words.en ?? []).filter((w) => w.includes(' ') || w.replace('*', '').length >= LOANWORD);
    const wordsIn = (language: Language) =>
      concepts.map((c) => ({ id: c.id, words: [...(c.words[language] ?? []), ...(c.words.any ?? []), ...(language === 'en' ? [] : loanwords(c))] }));
    this.finders = new Map(LANGUAGE_MODULES.map((m) => [m.id, new WordFinder(wordsIn(m.id))]));
    this.anyLanguage = new WordFinder(concepts.map((c) => ({ id: c.id, words: Object.values(c.words).flat() })));
    this.topical = new Set(concepts.filter((c) => c.topic).map((c) => c.id));
    this.startOnly = new Set(concepts.filter((c) => c.start).map((c) => c.id));
  }

  in(language: Language): WordFinder {
    return this.finders.get(language)!;
  }

  /**
   * The concepts of each word, by position: of the word as written and as the training phrases spell it (the
   * lexicon lists what people write); orders ("translate…") only as the first word.
   */
  find(language: Language, written: readonly string[], standard: readonly string[], skip: (i: number) => boolean): string[][] {
    const finder = this.in(language);
    const found = finder.find(written);
    return standard.map((t, i) => {
      const ids = skip(i) || t === written[i] ? found[i]! : [...new Set([...found[i]!, ...finder.ofWord(t)])];
      return i === 0 ? ids : ids.filter((c) => !this.startOnly.has(c));
    });
  }

  /** Whether a concept says which topic is asked (not only "how many", "before", a name). */
  isTopical(concept: string): boolean {
    return this.topical.has(concept);
  }
}
