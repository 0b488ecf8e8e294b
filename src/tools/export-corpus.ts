/**
 * `npm run --silent export-corpus`: the exact training phrases the engine learns from, and the answer it gives
 * for each intent (without a place where the answer can depend on one), as one JSON document on stdout.
 */
import { LOCALES } from '../core/locale.js';
import { Assistant } from '../dialogue/assistant.js';
import { payloadOf } from '../dialogue/lexicon.js';
import { loadKnowledgeOrThrow } from '../knowledge/load.js';
import { trainingExamples } from '../nlu/nlu.js';
import { plainText } from '../channels/cli/plain-text.js';

const kb = loadKnowledgeOrThrow();
const assistant = new Assistant(kb);
const examples = trainingExamples(kb);
const corpus = {
  languages: [...LOCALES],
  intents: await Promise.all(
    kb.intents.map(async ({ intent, utterances }) => ({
      id: intent,
      utterances: Object.fromEntries(LOCALES.map((l) => [l, [...utterances[l]]])),
      answers: Object.fromEntries(
        await Promise.all(
          LOCALES.map(async (l) => {
            // The reply the engine gives when this intent is chosen (a button press picks it with certainty).
            const reply = await assistant.handle({ sessionId: `export-${intent}-${l}`, text: '', lang: l, payload: payloadOf({ type: 'intent', intent }) });
            return [l, reply.messages.map((m) => plainText(m.text)).join('\n\n')] as const;
          }),
        ),
      ),
    })),
  ),
};
// Guard: what we export is exactly what the engine trains on.
const exported = corpus.intents.reduce((n, i) => n + LOCALES.reduce((m, l) => m + (i.utterances[l]?.length ?? 0), 0), 0);
if (exported !== examples.length) throw new Error(`export has ${exported} phrases but the engine trains on ${examples.length}`);
process.stdout.write(`${JSON.stringify(corpus, null, 2)}\n`);
