import MiniSearch from 'minisearch';
import { LOCALES } from '../core/locale.js';
import type { KnowledgeBase } from '../knowledge/types.js';
import { fold } from './normalize.js';
import { tokenize } from './tokenize.js';

/**
 * The knowledge as evidence: each answer's text in every language, its label and the passages of the fact sheet it
 * rests on, ranked by BM25 (MiniSearch) against the message, as question-answering services index answers beside
 * questions. A message using a term no training phrase has, but one answer holds ("Ombudsperson", "Judicial
 * Institute", "RTK"), finds that answer here.
 *
 * Terms are language-neutral keys of each word made by the caller (see Nlu): its first letters, which
 * institution/institucion/institucija share, and the ids of the concepts it belongs to.
 */
export class KnowledgeEvidence {
  private readonly index: MiniSearch<{ id: string; text: string }>;
  readonly intents: readonly string[];
  /** Every key of each answer's text: whether a message's word is one an answer holds. */
  private readonly keysOf = new Map<string, ReadonlySet<string>>();
  /** The first four and five letters of each answer's words: whether it uses a message's word, whatever ending. */
  private readonly stemsOf = new Map<string, ReadonlySet<string>>();
  /** In how many answers each key is. */
  private readonly answersWith = new Map<string, number>();

  constructor(kb: KnowledgeBase, keys: (word: string) => string[]) {
    this.index = new MiniSearch({
      fields: ['text'],
      tokenize: (text) => tokenize(fold(text)),
      processTerm: (word) => keys(word),
      // Short answers ("the budget is 17,510,500 euros") are as relevant as long ones.
      searchOptions: { bm25: { k: 1.2, b: 0.5, d: 0.5 } },
    });
    const contacts = kb.dialogue.contacts;
    const documents = [...kb.answers.values()].map((a) => ({
      id: a.intent,
      // The public contacts block closes many answers: it says nothing about their topic.
      text: [...LOCALES.flatMap((l) => [a.label[l], a.text[l].replace(contacts[l], ' ')]), ...a.source].join('\n'),
    }));
    this.index.addAll(documents);
    this.intents = documents.map((d) => d.id);
    for (const d of documents) {
      const words = tokenize(fold(d.text));
      this.keysOf.set(d.id, new Set(words.flatMap(keys)));
      this.stemsOf.set(d.id, new Set(words.filter((w) => w.length >= 4).flatMap((w) => [w.slice(0, 4), w.slice(0, 5)])));
    }
    for (const set of this.keysOf.values()) for (const k of set) this.answersWith.set(k, (this.answersWith.get(k) ?? 0) + 1);
  }

  /** Whether a word is in so many answers ("mission", "Kosovo", "OSCE") that it says nothing of which one. */
  common(wordKeys: readonly string[]): boolean {
    return wordKeys.some((k) => (this.answersWith.get(k) ?? 0) > this.keysOf.size / 2);
  }

  /** Whether the answer of `intent` uses a word (its first five letters, or a word of four): "north", "northern". */
  uses(intent: string, word: string): boolean {
    return this.stemsOf.get(intent)?.has(word.slice(0, 5)) ?? false;
  }

  /**
   * BM25 scores of the answers that share a key with the message's words (folded, corrected), by intent. The
   * message's keys may be made otherwise than the answers' (with the concepts of its own language only).
   */
  scores(words: readonly string[], keys: (word: string) => string[]): Map<string, number> {
    const scores = new Map<string, number>();
    if (words.length === 0) return scores;
    for (const hit of this.index.search(words.join(' '), { combineWith: 'OR', processTerm: keys })) scores.set(String(hit.id), hit.score);
    return scores;
  }
}
