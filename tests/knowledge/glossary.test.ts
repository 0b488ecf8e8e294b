import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../src/core/locale.js';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { readYaml } from '../../src/knowledge/read.js';
import { GlossaryFile } from '../../src/knowledge/schema.js';
import type { Localized } from '../../src/knowledge/types.js';
import { fold } from '../../src/nlu/normalize.js';
import { knowledge } from '../support/engine.js';

// content/glossary.yaml is the one list of official names: wherever a text names a term in English, its Albanian
// and Serbian (both scripts) name it with the glossary's form, so that a retired form ("Savet za praćenje
// sprovođenja", "Kosovski pravosudni institut") cannot come back in one answer, quiz question or dialogue line.

const glossary = readYaml(PROJECT_ROOT, join(PROJECT_ROOT, 'content/glossary.yaml'), GlossaryFile, []);
if (!glossary) throw new Error('content/glossary.yaml does not load');
type Term = (typeof glossary.terms)[number];

/**
 * The stems of a form's words: each word of four letters or more without its last letter, so that declined forms
 * count ("Instituti" → "Institutit", "zaštićene zone" → "zaštićenih zona") and other words do not ("zaštitne" is
 * not "zaštićene", "pravosudni" is not "pravosuđe"). A last syllable with a fleeting vowel loses two letters
 * ("centar" → "centra", "qendër" → "qendrën", "Savet" → "Saveta"). Short words (e, i, të, za) are skipped.
 */
function stems(form: string): string[] {
  return fold(form)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 4)
    .map((w) => w.slice(0, Math.max(3, w.length - (/[^aeiou][ae][^aeiou]$/.test(w) ? 2 : 1))));
}

/** Whether `text` carries `form`, declined or not (Cyrillic text is compared in Latin, as folding does). */
export function carries(text: string, form: string): boolean {
  const words = fold(text).split(/[^\p{L}\p{N}]+/u);
  return stems(form).every((s) => words.some((w) => w.startsWith(s)));
}

const mentions = (english: string, term: Term) =>
  new RegExp(`(?<![\\p{L}])${term.en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}])`, 'iu').test(english);

/** Terms a text names in English whose form is missing in another language: "entry › locale: form". */
function drift(where: string, text: Localized, terms: readonly Term[]): string[] {
  const found: string[] = [];
  for (const term of terms) {
    // Place names (Pejë/Peć) are the content check's: both official forms wherever one is written.
    if (term.en.includes('/') || !mentions(text.en, term)) continue;
    const forms: Record<Exclude<Locale, 'en'>, string> = { sq: term.sq, 'sr-Latn': term['sr-Latn'], 'sr-Cyrl': term['sr-Latn'] };
    for (const locale of LOCALES)
      if (locale !== 'en' && !carries(text[locale], forms[locale])) found.push(`${where} › ${locale}: "${forms[locale]}"`);
  }
  return found;
}

describe('the glossary', () => {
  const kb = knowledge();
  const texts: [string, Localized][] = [
    ...[...kb.answers.values()].flatMap((a): [string, Localized][] => [
      [`answers/${a.intent}`, a.text],
      [`answers/${a.intent}.label`, a.label],
      ...Object.entries(a.byPlace).map(([c, p]): [string, Localized] => [`answers/${a.intent}.${c}`, p!.text]),
    ]),
    ...Object.entries(kb.dialogue).map(([k, t]): [string, Localized] => [`dialogue/${k}`, t]),
    ...kb.quiz.flatMap((q): [string, Localized][] => [
      [`quiz/${q.id}.question`, q.question],
      [`quiz/${q.id}.explanation`, q.explanation],
      ...q.options.map((o, i): [string, Localized] => [`quiz/${q.id}.options.${i}`, o]),
    ]),
    ...kb.topics.map((g): [string, Localized] => [`topics/${g.id}`, g.label]),
  ];

  it('is followed by every answer, quiz question, topic and dialogue line', () => {
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.flatMap(([where, text]) => drift(where, text, glossary.terms))).toEqual([]);
  });

  it('catches a retired form and accepts a declined one', () => {
    const council = glossary.terms.find((t) => t.en === 'Implementation Monitoring Council')!;
    const judicial = glossary.terms.find((t) => t.en === 'Kosovo Judicial Institute')!;
    const text = (sq: string, sr: string): Localized => ({ en: 'the Implementation Monitoring Council and the Kosovo Judicial Institute', sq, 'sr-Latn': sr, 'sr-Cyrl': sr });
    const declined = text(
      'anëtar i Këshillit Zbatues dhe Monitorues; raportet i përdor Instituti Gjyqësor i Kosovës',
      'član Saveta za sprovođenje i nadgledanje; izveštaje koristi Kosovski institut za pravosuđe',
    );
    expect(drift('ok', declined, [council, judicial])).toEqual([]);
    const retired = text(
      'anëtar i Këshillit Mbikëqyrës të Zbatimit; raportet i përdor Instituti Gjyqësor i Kosovës',
      'član Saveta za praćenje sprovođenja; izveštaje koristi Kosovski pravosudni institut',
    );
    expect(drift('old', retired, [council, judicial])).toEqual([
      'old › sq: "Këshilli Zbatues dhe Monitorues"',
      'old › sr-Latn: "Savet za sprovođenje i nadgledanje"',
      'old › sr-Cyrl: "Savet za sprovođenje i nadgledanje"',
      'old › sr-Latn: "Kosovski institut za pravosuđe"',
      'old › sr-Cyrl: "Kosovski institut za pravosuđe"',
    ]);
  });
});
