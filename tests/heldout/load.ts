import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as parse } from 'js-yaml';
import { z } from 'zod';
import { LOCALES, type Locale } from '../../src/core/locale.js';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';

const LabelledFile = z.strictObject({
  lang: z.enum(LOCALES),
  cases: z.array(z.strictObject({ text: z.string().min(1), intent: z.string() })).min(60),
});
const OutOfScopeFile = z.strictObject({
  cases: z.array(z.strictObject({ text: z.string().min(1), lang: z.enum([...LOCALES, 'mixed']) })),
});

export interface HeldOutCase {
  text: string;
  lang: Locale;
  intent: string;
}

export interface OutOfScopeCase {
  text: string;
  lang: Locale | 'mixed';
}

const HELD_OUT = join(PROJECT_ROOT, 'tests/heldout');
/** Questions for tuning and error analysis (bench/dev): never trained on, never reported. */
export const DEV_SET = join(PROJECT_ROOT, 'bench/dev');

/** The held-out questions (or another set laid out the same way), labelled with their intent, per language. */
export function heldOut(dir = HELD_OUT): HeldOutCase[] {
  return LOCALES.flatMap((lang) => {
    const file = LabelledFile.parse(parse(readFileSync(join(dir, `${lang}.yaml`), 'utf8')));
    return file.cases.map((c) => ({ ...c, lang: file.lang }));
  });
}

/** Messages that must not get a topic answer. */
export function outOfScope(dir = HELD_OUT): OutOfScopeCase[] {
  return OutOfScopeFile.parse(parse(readFileSync(join(dir, 'out-of-scope.yaml'), 'utf8'))).cases;
}
