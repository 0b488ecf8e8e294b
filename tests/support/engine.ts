import { Assistant, type AssistantOptions } from '../../src/dialogue/assistant.js';
import { loadKnowledgeOrThrow } from '../../src/knowledge/load.js';
import type { KnowledgeBase } from '../../src/knowledge/types.js';
import { loadNlu } from '../../src/nlu/model-file.js';
import type { Nlu } from '../../src/nlu/nlu.js';

let kb: KnowledgeBase | undefined;
let nlu: Nlu | undefined;

/** The real knowledge base, loaded once per test file. */
export function knowledge(): KnowledgeBase {
  return (kb ??= loadKnowledgeOrThrow());
}

/** A fresh assistant (own conversations) sharing one trained NLU per test file. */
export function assistant(options: Omit<AssistantOptions, 'nlu'> = {}): Assistant {
  nlu ??= loadNlu(knowledge()).nlu;
  return new Assistant(knowledge(), { ...options, nlu });
}
