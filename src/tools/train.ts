/**
 * `node dist/tools/train.js` (run by `npm run build`): trains the engine ahead of time and writes the model file
 * that `npm start` then loads in a fraction of a second (src/nlu/model-file.ts). Run from the sources (tsx) it
 * does the same for the sources' own model file.
 */
import { loadKnowledgeOrThrow } from '../knowledge/load.js';
import { MODEL_FILE, loadNlu } from '../nlu/model-file.js';

const started = performance.now();
const loaded = loadNlu(loadKnowledgeOrThrow());
const ms = Math.round(performance.now() - started);
if (loaded.from === 'file') console.log(`The model in ${MODEL_FILE} is up to date (${ms} ms).`);
else if (loaded.saved) console.log(`Trained the engine and wrote ${MODEL_FILE} (${ms} ms).`);
else {
  console.error(`Trained the engine but could not write ${MODEL_FILE}: ${loaded.error}`);
  process.exitCode = 1;
}
