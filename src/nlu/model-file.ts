import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KnowledgeBase } from '../knowledge/types.js';
import { DEFAULT_NLU, Nlu, trainingExamples, type NluOptions, type NluState } from './nlu.js';
import { pack, unpack } from './snapshot.js';

/** Bumped when the file's layout changes (the fingerprint covers the data and the engine's code already). */
const FORMAT = 1;

const NLU_DIR = dirname(fileURLToPath(import.meta.url));
/** `src` when run from the sources (tsx), `dist` from the build: each keeps its own file, trained by its own code. */
const RUNTIME = basename(dirname(NLU_DIR));
const PROJECT_ROOT = dirname(dirname(NLU_DIR));

/** Where the trained model is kept: `.cache/model-src.bin` or `.cache/model-dist.bin` in the project. */
export const MODEL_FILE = join(PROJECT_ROOT, '.cache', `model-${RUNTIME}.bin`);

export interface LoadedNlu {
  readonly nlu: Nlu;
  /** `file`: restored from the model file; `trained`: trained now (no file, or one made from other data or code). */
  readonly from: 'file' | 'trained';
  /** When training now: the file was written (false, with the reason, on a read-only disk, say). */
  readonly saved?: boolean;
  readonly error?: string;
}

/**
 * The trained engine for this knowledge base: restored from the model file when that file was made from exactly
 * the same training data, lexicon, language data, options and engine code (a fingerprint of all of them), else
 * trained now and written there for the next start. Training takes seconds; restoring a fraction of one.
 * `npm run build` trains the build's model ahead of time (see src/tools/train.ts).
 */
export function loadNlu(kb: KnowledgeBase, file: string = MODEL_FILE, options: NluOptions = DEFAULT_NLU): LoadedNlu {
  const print = fingerprint(kb, options);
  try {
    const { fingerprint: stored, state } = unpack<{ fingerprint: string; state: NluState }>(readFileSync(file));
    if (stored === print) return { nlu: new Nlu(kb, state, options), from: 'file' };
  } catch {
    // No file yet, or an unreadable one: train.
  }
  const nlu = new Nlu(kb, trainingExamples(kb), options);
  try {
    saveNlu(nlu, print, file);
    return { nlu, from: 'trained', saved: true };
  } catch (error) {
    return { nlu, from: 'trained', saved: false, error: (error as Error).message };
  }
}

/** Writes the model atomically (a temporary file, then a rename), so that a reader never sees half a file. */
function saveNlu(nlu: Nlu, print: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, pack({ fingerprint: print, state: nlu.state() }));
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was written.
    }
    throw error;
  }
}

/** A hash of everything training depends on: the data it learns from, the options, and the engine's code. */
export function fingerprint(kb: KnowledgeBase, options: NluOptions): string {
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT}\n`);
  hash.update(JSON.stringify(options));
  hash.update(JSON.stringify(trainingExamples(kb)));
  hash.update(JSON.stringify([kb.concepts, kb.languageData, kb.places]));
  for (const file of sourceFiles(NLU_DIR)) hash.update(readFileSync(file));
  return hash.digest('hex');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : []));
}
