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
      const forms = placeForms(place);
      // A name absent from the folded text is absent from the text: most texts name no town (cheap test first).
      if (!forms || !forms.folded.some((f) => folded.includes(f))) continue;
      const has = forms[locale === 'sr-Cyrl' ? 'cyrillic' : 'latin'].map((f) => f.test(t));
      if (has.some(Boolean) && !has.every(Boolean))
        problems.push({ file, entry: `${entry}.${locale}`, message: `write both official forms: ${place.display[locale]}` });
    }
  }
}

interface PlaceForms {
  /** The official names, folded: a cheap first test. */
  readonly folded: readonly string[];
  /** Whole-word patterns of the two official forms, in Latin and in Cyrillic text. */
  readonly latin: readonly RegExp[];
  readonly cyrillic: readonly RegExp[];
}

// Null for places whose names are not checked (municipalities, names the same in both languages).
const formsCache = new WeakMap<Place, PlaceForms | null>();

/** The forms of a regional centre's two official names that texts must carry together. */
function placeForms(place: Place): PlaceForms | null {
  let forms = formsCache.get(place);
  if (forms === undefined) {
    const word = (f: string) => new RegExp(`(?<![\\p{L}])${f}(?![\\p{L}])`, 'u');
    const { sq, 'sr-Latn': latin, 'sr-Cyrl': cyrillic } = place.names;
    forms =
      place.kind === 'municipality' || sq === latin
        ? null
        : { folded: [sq, latin, cyrillic].map(fold), latin: [word(sq), word(latin)], cyrillic: [word(cyrillic), word(sq)] };
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
