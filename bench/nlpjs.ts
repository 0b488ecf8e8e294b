import { createRequire } from 'node:module';
import { LOCALES, languageOf, type Locale } from '../src/core/locale.js';
import type { KnowledgeBase } from '../src/knowledge/types.js';

// node-nlp is CommonJS without types; this is the slice of its API the comparison uses.
interface NlpManager {
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<void>;
  process(locale: string, utterance: string): Promise<{ intent: string; score: number; locale: string; classifications: { intent: string; score: number }[] }>;
}
const require = createRequire(import.meta.url);
const { NlpManager: Manager } = require('node-nlp') as { NlpManager: new (settings: object) => NlpManager };

/**
 * NLP.js trained on exactly our intents/ (Serbian Latin and Cyrillic both as its `sr`), asked with the
 * question's true language — its best case, since our engine has to detect the language itself.
 */
export async function trainNlpJs(kb: KnowledgeBase): Promise<(text: string, locale: Locale) => Promise<{ intent: string; top: string }>> {
  const manager = new Manager({ languages: ['en', 'sq', 'sr'], nlu: { log: false }, autoSave: false, autoLoad: false });
  for (const { intent, utterances } of kb.intents)
    for (const locale of LOCALES) for (const u of utterances[locale]) manager.addDocument(languageOf(locale), u, intent);
  await manager.train();
  return async (text, locale) => {
    const result = await manager.process(languageOf(locale), text);
    // `intent` is "None" below NLP.js's own threshold; `top` is its best guess regardless.
    return { intent: result.intent, top: result.classifications[0]?.intent ?? result.intent };
  };
}
