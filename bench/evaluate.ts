import { LOCALES, type Locale } from '../src/core/locale.js';
import type { HeldOutCase, OutOfScopeCase } from '../tests/heldout/load.js';

/** What a system under evaluation says about one message. */
export interface Verdict {
  intent: string | null;
  /** True when it declined to answer (fallback, "None" intent, out-of-scope class). */
  refused: boolean;
  lang?: Locale;
}

export interface Scores {
  perLanguage: Record<Locale, { correct: number; total: number }>;
  overall: { correct: number; total: number };
  outOfScope: { refused: number; total: number };
  languageDetection: { correct: number; total: number };
  errors: { text: string; lang: Locale; expected: string; got: string | null }[];
}

/** Accuracy per language on held-out questions, and the refusal rate on out-of-scope ones. */
export function evaluate(
  cases: readonly HeldOutCase[],
  oos: readonly OutOfScopeCase[],
  judge: (text: string, lang: Locale | 'mixed') => Verdict,
): Scores {
  const perLanguage = Object.fromEntries(LOCALES.map((l) => [l, { correct: 0, total: 0 }])) as Scores['perLanguage'];
  const scores: Scores = {
    perLanguage,
    overall: { correct: 0, total: 0 },
    outOfScope: { refused: 0, total: 0 },
    languageDetection: { correct: 0, total: 0 },
    errors: [],
  };
  for (const c of cases) {
    const v = judge(c.text, c.lang);
    const ok = v.intent === c.intent;
    perLanguage[c.lang].total += 1;
    scores.overall.total += 1;
    if (ok) {
      perLanguage[c.lang].correct += 1;
      scores.overall.correct += 1;
    } else scores.errors.push({ text: c.text, lang: c.lang, expected: c.intent, got: v.intent });
    if (v.lang) {
      scores.languageDetection.total += 1;
      if (v.lang === c.lang) scores.languageDetection.correct += 1;
    }
  }
  for (const c of oos) {
    const v = judge(c.text, c.lang);
    scores.outOfScope.total += 1;
    if (v.refused) scores.outOfScope.refused += 1;
    else scores.errors.push({ text: c.text, lang: c.lang === 'mixed' ? 'en' : c.lang, expected: '(refuse)', got: v.intent });
  }
  return scores;
}

export const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
