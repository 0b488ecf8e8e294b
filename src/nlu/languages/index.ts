import type { Language } from '../../core/locale.js';
import { english } from './en.js';
import type { LanguageModule } from './module.js';
import { serbian } from './sr.js';
import { albanian } from './sq.js';

export type { LanguageModule } from './module.js';

/** The languages the engine reads, each registered in one line. Their data is in intents/languages/. */
export const LANGUAGE_MODULES: readonly LanguageModule[] = [english, albanian, serbian];

const byId = new Map(LANGUAGE_MODULES.map((m) => [m.id, m]));

export function languageModule(id: Language): LanguageModule {
  return byId.get(id)!;
}
