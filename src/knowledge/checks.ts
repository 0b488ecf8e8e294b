import { LOCALES } from '../core/locale.js';
import { fold } from '../nlu/normalize.js';
import type { ContentProblem, IntentPhrases, Localized, Place } from './types.js';

// Wording the status-neutral Mission never uses, in any language or script (matched on folded text).
const NOT_NEUTRAL = [
  'republic of kosovo', 'republika e kosoves', 'republika kosovo', 'republika kosova', 'republikes se kosoves',
  'kosovo and metohija', 'kosovo i metohija', 'kosova dhe metohija', 'kosove dhe metohi', 'kosovu i metohiji',
  'kosova i metohije', 'kosmet',
];

/**
 * Checks one piece of text in every language: the same placeholders everywhere and only allowed ones,
 * neutral wording, and both official forms of every place name it mentions.
 */
export function checkText(
  file: string,
  entry: string,
  text: Localized,
  allowed: readonly string[],
  places: readonly Place[],
  problems: ContentProblem[],
): void {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort().join(',');
  const reference = placeholders(text.en);
  for (const locale of LOCALES) {
    const t = text[locale];
    const found = placeholders(t);
    if (found !== reference)
      problems.push({ file, entry: `${entry}.${locale}`, message: `placeholders {${found}} differ from English {${reference}}` });
    for (const p of found.split(',').filter(Boolean))
      if (!allowed.includes(p)) problems.push({ file, entry: `${entry}.${locale}`, message: `unknown placeholder {${p}}` });
    const folded = ` ${fold(t)} `;
    for (const phrase of NOT_NEUTRAL)
      if (folded.includes(` ${phrase} `))
        problems.push({ file, entry: `${entry}.${locale}`, message: `"${phrase}" is not status-neutral wording: write "Kosovo"` });
    for (const place of places) {
      const forms = placeForms(place)[locale === 'sr-Cyrl' ? 1 : 0];
      // A name absent from the folded text is absent from the text: most texts name no town (cheap test first).
      if (!forms || !foldedForms(place).some((f) => folded.includes(f))) continue;
      const has = forms.map((f) => f.test(t));
      if (has.some(Boolean) && !has.every(Boolean))
        problems.push({ file, entry: `${entry}.${locale}`, message: `write both official forms: ${place.display[locale]}` });
    }
  }
}

const formsCache = new WeakMap<Place, [RegExp[], RegExp[]] | []>();
const foldedCache = new WeakMap<Place, string[]>();

/** A place's official names, folded. */
function foldedForms(place: Place): string[] {
  let forms = foldedCache.get(place);
  if (!forms) foldedCache.set(place, (forms = [place.names.sq, place.names['sr-Latn'], place.names['sr-Cyrl']].map(fold)));
  return forms;
}

/** Whole-word patterns of a regional centre's two official forms, in Latin and in Cyrillic text. */
function placeForms(place: Place): [RegExp[], RegExp[]] | [] {
  let forms = formsCache.get(place);
  if (!forms) {
    const word = (f: string) => new RegExp(`(?<![\\p{L}])${f}(?![\\p{L}])`, 'u');
    forms =
      place.kind === 'municipality' || place.names.sq === place.names['sr-Latn']
        ? []
        : [[word(place.names.sq), word(place.names['sr-Latn'])], [word(place.names['sr-Cyrl']), word(place.names.sq)]];
    formsCache.set(place, forms);
  }
  return forms;
}

/** A phrase (folded) belongs to one intent only, and appears once in it per language. */
export function checkPhrases(intents: readonly IntentPhrases[], problems: ContentProblem[]): void {
  const owner = new Map<string, string>();
  for (const { intent, utterances } of intents) {
    const mine = new Set<string>();
    for (const locale of LOCALES) {
      const inLanguage = new Set<string>();
      for (const phrase of utterances[locale]) {
        const key = fold(phrase);
        const where = { file: `intents/${intent}.yaml`, entry: `utterances.${locale}` };
        if (!key) {
          problems.push({ ...where, message: `"${phrase}" has no words` });
          continue;
        }
        if (inLanguage.has(key)) problems.push({ ...where, message: `"${phrase}" is listed twice` });
        inLanguage.add(key);
        const other = owner.get(key);
        if (other && other !== intent) problems.push({ ...where, message: `duplicate phrase "${phrase}": also in intents/${other}.yaml` });
        mine.add(key);
      }
    }
    for (const key of mine) if (!owner.has(key)) owner.set(key, intent);
  }
}
