/** The four languages the assistant speaks, as BCP 47 codes. Serbian has two scripts. */
export const LOCALES = ['en', 'sq', 'sr-Latn', 'sr-Cyrl'] as const;
export type Locale = (typeof LOCALES)[number];

/** Languages as the classifier sees them: Serbian Cyrillic is folded to Latin before matching. */
export type Language = 'en' | 'sq' | 'sr';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function languageOf(locale: Locale): Language {
  return locale === 'sr-Latn' || locale === 'sr-Cyrl' ? 'sr' : locale;
}

/** The locale of a language as written: Serbian in the script of the text. */
export function localeOf(language: Language, cyrillic: boolean): Locale {
  return language !== 'sr' ? language : cyrillic ? 'sr-Cyrl' : 'sr-Latn';
}

/**
 * Maps a loose tag from a channel (Telegram `language_code`, `Accept-Language`, `activity.locale`)
 * to one of our locales, or undefined. `sr` alone means Cyrillic, Serbia's official script;
 * `sr-Latn`, `sr-ME`… and `bs`, `hr` read Latin.
 *
 * @example toLocale('sq-AL') === 'sq'; toLocale('sr') === 'sr-Cyrl'; toLocale('sr-Latn-RS') === 'sr-Latn'
 */
export function toLocale(tag: string | undefined | null): Locale | undefined {
  if (!tag) return undefined;
  if (isLocale(tag)) return tag;
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  const [lang, ...rest] = t.split('-');
  if (lang === 'en') return 'en';
  if (lang === 'sq' || lang === 'al') return 'sq';
  if (lang === 'sr') return rest.includes('latn') || rest.includes('me') ? 'sr-Latn' : 'sr-Cyrl';
  if (lang === 'bs' || lang === 'hr' || lang === 'sh' || lang === 'cnr') return 'sr-Latn';
  return undefined;
}
