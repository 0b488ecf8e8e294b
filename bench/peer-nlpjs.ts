/**
 * NLP.js as a peer engine speaking our `ask --jsonl` contract, so that the blind questions score both engines in
 * one run (`node ../shared/eval/score.mjs --cmd "npx tsx bench/peer-nlpjs.ts --jsonl"`). It trains on exactly
 * what `npm run export-corpus` exports (our intents/), guesses the language itself as ours must, and replies
 * with the answer our engine gives for the intent it picks. It has no conversation memory: NLP.js's NlpManager
 * classifies one message at a time.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { LOCALES, isLocale, languageOf, localeOf, type Locale } from '../src/core/locale.js';
import { OUT_OF_SCOPE } from '../src/core/intents.js';
import { replyAsPlainText } from '../src/channels/cli/plain-text.js';
import { Assistant } from '../src/dialogue/assistant.js';
import { loadKnowledgeOrThrow } from '../src/knowledge/load.js';
import { scriptOf } from '../src/nlu/normalize.js';

interface NlpManager {
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<void>;
  process(utterance: string): Promise<{ intent: string; score: number; locale: string }>;
  process(locale: string, utterance: string): Promise<{ intent: string; score: number; locale: string }>;
}
const require = createRequire(import.meta.url);
const { NlpManager: Manager } = require('node-nlp') as { NlpManager: new (settings: object) => NlpManager };

const kb = loadKnowledgeOrThrow();
const manager = new Manager({ languages: ['en', 'sq', 'sr'], nlu: { log: false }, autoSave: false, autoLoad: false });
for (const { intent, utterances } of kb.intents)
  for (const locale of LOCALES) for (const u of utterances[locale]) manager.addDocument(languageOf(locale), u, intent);
await manager.train();

// Replies come from our own engine for the intent NLP.js picked (a button press with that intent): both engines
// then say the same words for the same decision, and only understanding is compared.
const assistant = new Assistant(kb);
let n = 0;
for await (const input of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!input.trim()) continue;
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(input) as Record<string, unknown>;
  } catch {
    process.stdout.write(`${JSON.stringify({ id: null, error: 'invalid JSON line' })}\n`);
    continue;
  }
  const text = typeof request.text === 'string' ? request.text : '';
  const chosen = isLocale(request.lang) ? request.lang : undefined;
  const result = chosen ? await manager.process(languageOf(chosen), text) : await manager.process(text);
  const guessed = (['en', 'sq', 'sr'] as const).find((l) => l === result.locale) ?? 'en';
  const lang: Locale = chosen ?? localeOf(guessed, scriptOf(text) === 'Cyrl');
  const intent = result.intent === 'None' ? OUT_OF_SCOPE : result.intent;
  const reply =
    intent === OUT_OF_SCOPE
      ? assistant.respond({ sessionId: `nlpjs-${n++}`, text: '', lang, payload: 'x:no_text' })
      : assistant.respond({ sessionId: `nlpjs-${n++}`, text: '', lang, payload: `i:${intent}` });
  const fallback = intent === OUT_OF_SCOPE || reply.fallback;
  process.stdout.write(
    `${JSON.stringify({ id: request.id ?? null, session: request.session ?? null, lang, intent: fallback ? null : intent, confidence: result.score, fallback, text: replyAsPlainText(reply) })}\n`,
  );
}
