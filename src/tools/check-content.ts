/** `npm run check-content`: validates content/ and intents/, listing every problem with its file and entry. */
import { loadKnowledge } from '../knowledge/load.js';
import { formatProblem } from '../knowledge/types.js';

const result = loadKnowledge();
if (result.ok) {
  const { kb } = result;
  const phrases = kb.intents.reduce((n, i) => n + Object.values(i.utterances).reduce((m, u) => m + u.length, 0), 0);
  console.log(`Content is valid: ${kb.answers.size} answers, ${kb.intents.length} intents, ${phrases} training phrases, ${kb.concepts.length} concepts, ${kb.places.length} places.`);
} else {
  console.error(`Content has ${result.problems.length} problem(s):`);
  for (const p of result.problems) console.error(`  - ${formatProblem(p)}`);
  process.exitCode = 1;
}
