import type { Language } from '../core/locale.js';
import { charSymbol, SYMBOLS } from './features.js';
import { LANGUAGE_MODULES } from './languages/index.js';
import { fold, scriptOf, type Script } from './normalize.js';

const LANGUAGES: readonly Language[] = LANGUAGE_MODULES.map((m) => m.id);

export interface LanguageDetectorState {
  grams: Float64Array;
  words: string[];
  /** Each word's log-probabilities per language, one row after another. */
  rows: Float64Array;
  totals: Float64Array;
  priors: Float64Array;
  vocabulary: number;
  unseen: Float64Array;
}

export interface LanguageGuess {
  language: Language;
  /** Posterior of the best language, 0..1. */
  probability: number;
  /** True when the text is clear enough to override the conversation's language. */
  sure: boolean;
}

/**
 * A multinomial naive Bayes over character bigrams and trigrams (with word boundaries) and whole words, trained on
 * the training phrases themselves (and each language's cue words, intents/languages/): the vocabulary people use
 * with this assistant is the best evidence. Cyrillic is always Serbian; letters that only one language writes
 * (ë ç Albanian, č ć š ž đ Serbian: see the language modules) are decisive.
 */
export class LanguageDetector {
  // Log-probabilities per language (counts while training): character bigrams and trigrams numbered from their
  // letters (no strings), then whole words in a map; `unseen` for words never met.
  private readonly grams: Float64Array = new Float64Array(GRAM_SLOTS * LANGUAGES.length);
  private readonly words = new Map<string, Float64Array>();
  private readonly totals: Float64Array = new Float64Array(LANGUAGES.length);
  private readonly priors: Float64Array;
  private readonly vocabulary: number;
  private readonly unseen: Float64Array;

  /**
   * @param source training phrases, already folded (see normalize.ts), with their language; or the state of a
   * detector trained before (see `state()`).
   */
  constructor(source: ReadonlyArray<{ folded: string; language: Language }> | LanguageDetectorState) {
    const L = LANGUAGES.length;
    if (!Array.isArray(source)) {
      const state = source as LanguageDetectorState;
      this.grams = state.grams;
      // Views into one array: no object and buffer of its own for each of thousands of words.
      state.words.forEach((word, i) => this.words.set(word, state.rows.subarray(i * L, i * L + L)));
      this.totals = state.totals;
      this.priors = state.priors;
      this.vocabulary = state.vocabulary;
      this.unseen = state.unseen;
      return;
    }
    const samples = source as ReadonlyArray<{ folded: string; language: Language }>;
    const docs = new Float64Array(L);
    // Words repeat across phrases: count them first, then add each distinct word's n-grams once, times its count.
    for (const { folded, language } of samples) {
      const li = LANGUAGES.indexOf(language);
      docs[li]! += 1;
      for (const word of wordsOf(folded)) {
        let row = this.words.get(word);
        if (!row) this.words.set(word, (row = new Float64Array(L)));
        row[li]! += 1;
      }
    }
    for (const [word, row] of this.words) {
      for (let li = 0; li < L; li++) {
        const times = row[li]!;
        if (times === 0) continue;
        this.totals[li]! += times * (1 + eachGram(word, (slot) => (this.grams[slot * L + li]! += times)));
      }
    }
    let seen = this.words.size;
    for (let slot = 0; slot < GRAM_SLOTS; slot++) {
      for (let li = 0; li < LANGUAGES.length; li++) {
        if (this.grams[slot * LANGUAGES.length + li]! > 0) {
          seen += 1;
          break;
        }
      }
    }
    this.vocabulary = seen;
    const n = docs.reduce((a, b) => a + b, 0) || 1;
    this.priors = docs.map((d) => Math.log((d + 1) / (n + LANGUAGES.length)));
    // From counts to smoothed log-probabilities once, so that detection only adds.
    const denominators = Array.from(this.totals, (t) => Math.log(t + this.vocabulary));
    for (let i = 0; i < this.grams.length; i++) this.grams[i] = Math.log(this.grams[i]! + 1) - denominators[i % L]!;
    for (const row of this.words.values()) for (let li = 0; li < L; li++) row[li] = Math.log(row[li]! + 1) - denominators[li]!;
    this.unseen = Float64Array.from(denominators, (d) => -d);
  }

  /** What the detector learnt, to keep in a file and restore without training (see model-file.ts). */
  state(): LanguageDetectorState {
    const L = LANGUAGES.length;
    const words = [...this.words.keys()];
    const rows = new Float64Array(words.length * L);
    words.forEach((word, i) => rows.set(this.words.get(word)!, i * L));
    return { grams: this.grams, words, rows, totals: this.totals, priors: this.priors, vocabulary: this.vocabulary, unseen: this.unseen };
  }

  /**
   * The language of a message of at most a few words when each word the detector knows well (seen in at least
   * OWN_WORD_COUNT training phrases) belongs to that language only, and at least one does; otherwise undefined.
   * Words it does not know, or that several languages use (place names, "ok", "osce"), say nothing either way.
   */
  private ownLanguage(words: readonly string[]): number | undefined {
    if (words.length === 0 || words.length > OWN_WORDS_MAX) return undefined;
    let language: number | undefined;
    for (const word of words) {
      const row = this.words.get(word);
      if (!row) continue;
      const used: number[] = [];
      for (let li = 0; li < row.length; li++) if (row[li]! > this.unseen[li]!) used.push(li);
      if (used.length !== 1) continue;
      const li = used[0]!;
      // Back from the smoothed log-probability to the number of times the word was seen.
      if (Math.exp(row[li]! - this.unseen[li]!) - 1 < OWN_WORD_COUNT) continue;
      if (language !== undefined && language !== li) return undefined;
      language = li;
    }
    return language;
  }

  /** `script` and `folded` may be given when the caller has them already. */
  detect(text: string, script: Script = scriptOf(text), folded?: string): LanguageGuess {
    if (script === 'Cyrl') return { language: 'sr', probability: 1, sure: true };
    // Letters only one of our languages writes: people who type them have told us their language.
    const lettered = LANGUAGE_MODULES.filter((m) => m.letters?.test(text));
    if (lettered.length === 1) return { language: lettered[0]!.id, probability: 1, sure: true };
    folded ??= fold(text);
    const L = LANGUAGES.length;
    // Words people of only one language use ("kuiz", "hvala", "please"): a short message made of them has told us
    // its language as surely as its letters would.
    const own = this.ownLanguage(wordsOf(folded));
    if (own !== undefined) return { language: LANGUAGES[own]!, probability: 1, sure: true };
    const scores = Array.from(this.priors);
    let count = 0;
    for (const word of wordsOf(folded)) {
      const row = this.words.get(word) ?? this.unseen;
      for (let li = 0; li < L; li++) scores[li]! += row[li]!;
      count +=
        1 +
        eachGram(word, (slot) => {
          for (let li = 0; li < L; li++) scores[li]! += this.grams[slot * L + li]!;
        });
    }
    // Naive Bayes is over-confident: n-grams of one word are far from independent. Scaling the
    // log-likelihoods by the number of features makes the posterior usable as a confidence.
    const scale = 4 / Math.max(1, Math.sqrt(count));
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp((s - max) * scale));
    const sum = exps.reduce((a, b) => a + b, 0);
    let best = 0;
    for (let i = 1; i < exps.length; i++) if (exps[i]! > exps[best]!) best = i;
    const probability = exps[best]! / sum;
    const words = folded.split(' ').filter((w) => w.length > 1).length;
    return { language: LANGUAGES[best]!, probability, sure: probability >= 0.9 && words >= 2 };
  }
}

const GRAM_SLOTS = SYMBOLS ** 2 + SYMBOLS ** 3;
/** Messages of up to this many words may be told by their own words (longer ones by the whole model). */
const OWN_WORDS_MAX = 3;
/** Times a word must appear in one language's training phrases (and never in another's) to tell that language. */
const OWN_WORD_COUNT = 3;

/** The words of folded text that count as evidence (numbers say nothing of a language). */
function wordsOf(folded: string): string[] {
  return folded.split(' ').filter((w) => w && !/^\d+$/.test(w));
}

/** Calls back with each bigram and trigram slot of a word with its boundaries; returns how many. */
function eachGram(word: string, gram: (slot: number) => void): number {
  let count = 0;
  const padded = ` ${word} `;
  for (let i = 0; i + 2 <= padded.length; i++) {
    const a = charSymbol(padded.charCodeAt(i));
    const b = charSymbol(padded.charCodeAt(i + 1));
    gram(a * SYMBOLS + b);
    count += 1;
    if (i + 3 <= padded.length) {
      gram(SYMBOLS ** 2 + (a * SYMBOLS + b) * SYMBOLS + charSymbol(padded.charCodeAt(i + 2)));
      count += 1;
    }
  }
  return count;
}
