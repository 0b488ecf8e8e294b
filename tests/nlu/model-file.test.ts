import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../src/knowledge/types.js';
import { fingerprint, loadNlu } from '../../src/nlu/model-file.js';
import { DEFAULT_NLU } from '../../src/nlu/nlu.js';
import { pack, unpack } from '../../src/nlu/snapshot.js';
import { knowledge } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

const questions = ['what is the budget', 'ku e keni zyren ne peje', 'ко је шеф мисије', 'pls tell me a joke'];
const reading = (nlu: ReturnType<typeof loadNlu>['nlu']) =>
  questions.map((q) => {
    const u = nlu.understand(q);
    return [u.language.language, u.ranked.map((r) => [r.intent, r.probability.toFixed(6)])];
  });

describe('the model file', () => {
  it('is written when the engine is trained, and restores an engine that understands exactly as the trained one', () => {
    const file = join(tempDir('model'), 'model.bin');
    const trained = loadNlu(knowledge(), file);
    expect(trained).toMatchObject({ from: 'trained', saved: true });
    expect(existsSync(file)).toBe(true);
    const restored = loadNlu(knowledge(), file);
    expect(restored.from).toBe('file');
    expect(reading(restored.nlu)).toEqual(reading(trained.nlu));
  });

  it('is not used when the training data changed, nor when it is damaged', () => {
    const file = join(tempDir('model'), 'model.bin');
    loadNlu(knowledge(), file);
    const kb = knowledge();
    const edited: KnowledgeBase = {
      ...kb,
      intents: kb.intents.map((i) => (i.intent === 'budget' ? { ...i, utterances: { ...i.utterances, en: [...i.utterances.en, 'money money money'] } } : i)),
    };
    expect(fingerprint(edited, DEFAULT_NLU)).not.toBe(fingerprint(kb, DEFAULT_NLU));
    expect(loadNlu(edited, file).from).toBe('trained');
    writeFileSync(file, 'not a model');
    expect(loadNlu(kb, file).from).toBe('trained');
  });

  it('trains and says why when the file cannot be written', () => {
    const dir = tempDir('model');
    chmodSync(dir, 0o500);
    const result = loadNlu(knowledge(), join(dir, 'sub', 'model.bin'));
    chmodSync(dir, 0o700);
    // Root ignores permissions: then the file is written, which is fine too.
    if (process.getuid?.() === 0) expect(result.from).toBe('trained');
    else expect(result).toMatchObject({ from: 'trained', saved: false, error: expect.stringMatching(/EACCES|permission/i) });
  });
});

describe('snapshot', () => {
  it('packs typed arrays and JSON and unpacks them as they were', () => {
    const tree = { a: new Float32Array([1.5, -2]), b: { c: new Int32Array([7, 8, 9]), d: ['x', 'y'], e: 3 }, f: new Float64Array([Math.PI]) };
    const back = unpack<typeof tree>(pack(tree));
    expect(back.a).toEqual(tree.a);
    expect(back.b.c).toEqual(tree.b.c);
    expect(back.b.d).toEqual(['x', 'y']);
    expect(back.b.e).toBe(3);
    expect(back.f[0]).toBe(Math.PI);
  });
});
