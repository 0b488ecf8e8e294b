// Run by bench/nlu.ts in a fresh plain-Node process on the compiled build (dist/), as in production:
// time to load and validate the content and to train the engine, and the memory the process then holds.
const t0 = performance.now();
const { loadKnowledgeOrThrow } = await import('../dist/knowledge/load.js');
const { Assistant } = await import('../dist/dialogue/assistant.js');
const t1 = performance.now();
const kb = loadKnowledgeOrThrow();
const t2 = performance.now();
const assistant = new Assistant(kb);
const t3 = performance.now();
assistant.respond({ sessionId: 'warm', text: 'hello' });
// Collect garbage before reading memory. The flag is set only now: --expose-gc at start slows V8 down a little.
const { setFlagsFromString } = await import('node:v8');
const { runInNewContext } = await import('node:vm');
setFlagsFromString('--expose-gc');
runInNewContext('gc')();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, loadMs: t2 - t1, trainMs: t3 - t2, rssMB: rss / 2 ** 20, heapMB: heapUsed / 2 ** 20 }));
