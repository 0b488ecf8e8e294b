import type { Language } from '../core/locale.js';
import { fold, scriptOf } from './normalize.js';

const LANGUAGES: readonly Language[] = ['en', 'sq', 'sr'];
// Letters that only one of our languages writes; people who type them have told us their language.
const ALBANIAN_LETTERS = /[ëç]/i;
const SERBIAN_LETTERS = /[čćšžđ]/i;

export interface LanguageGuess {
  language: Language;
  /** Posterior of the best language, 0..1. */
  probability: number;
  /** True when the text is clear enough to override the conversation's language. */
  sure: boolean;
}

/**
 * A multinomial naive Bayes over character bigrams and trigrams (with word boundaries) and whole words, trained on
 * the training phrases themselves: the vocabulary people use with this assistant is the best evidence.
 * Cyrillic is always Serbian; the letters ë ç (Albanian) and č ć š ž đ (Serbian) are decisive.
 */
export class LanguageDetector {
  private readonly counts = new Map<string, Float64Array>();
  private readonly totals = new Float64Array(LANGUAGES.length);
  private readonly priors: Float64Array;

  /** @param samples training phrases, already folded (see normalize.ts), with their language. */
  constructor(samples: ReadonlyArray<{ folded: string; language: Language }>) {
    const docs = new Float64Array(LANGUAGES.length);
    for (const { folded, language } of samples) {
      const li = LANGUAGES.indexOf(language);
      docs[li]! += 1;
      for (const f of features(folded)) {
        let row = this.counts.get(f);
        if (!row) this.counts.set(f, (row = new Float64Array(LANGUAGES.length)));
        row[li]! += 1;
        this.totals[li]! += 1;
      }
    }
    const n = docs.reduce((a, b) => a + b, 0) || 1;
    this.priors = docs.map((d) => Math.log((d + 1) / (n + LANGUAGES.length)));
  }

  detect(text: string): LanguageGuess {
    if (scriptOf(text) === 'Cyrl') return { language: 'sr', probability: 1, sure: true };
    if (SERBIAN_LETTERS.test(text) && !ALBANIAN_LETTERS.test(text)) return { language: 'sr', probability: 1, sure: true };
    if (ALBANIAN_LETTERS.test(text) && !SERBIAN_LETTERS.test(text)) return { language: 'sq', probability: 1, sure: true };
    const folded = fold(text);
    const fs = features(folded);
    const vocabulary = this.counts.size;
    const scores = LANGUAGES.map((_, li) => {
      let s = this.priors[li]!;
      const denominator = Math.log(this.totals[li]! + vocabulary);
      for (const f of fs) s += Math.log((this.counts.get(f)?.[li] ?? 0) + 1) - denominator;
      return s;
    });
    // Naive Bayes is over-confident: n-grams of one word are far from independent. Scaling the
    // log-likelihoods by the number of features makes the posterior usable as a confidence.
    const scale = 4 / Math.max(1, Math.sqrt(fs.length));
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

function features(folded: string): string[] {
  const out: string[] = [];
  for (const word of folded.split(' ')) {
    if (!word || /^\d+$/.test(word)) continue;
    out.push(`w:${word}`);
    const padded = ` ${word} `;
    for (let n = 2; n <= 3; n++) for (let i = 0; i + n <= padded.length; i++) out.push(padded.slice(i, i + n));
  }
  return out;
}
