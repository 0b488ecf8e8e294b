/** A sparse vector: parallel arrays of feature ids and values, L2-normalised. */
export interface SparseVector {
  readonly ids: Int32Array;
  readonly values: Float32Array;
}

export const PLACE_TOKEN = 'PLACE';

export interface FeatureWeights {
  words: number;
  /** Concepts across languages (intents/lexicon/): "cop", "polic", "murija" are one feature. */
  concepts: number;
  bigrams: number;
  chars: number;
  /** Character n-gram lengths, inclusive, between 3 and 4. */
  charMin: number;
  charMax: number;
}

// Trigrams only: adding 4-grams (charMax 4) scores the same on the development set and in cross-validation,
// but puts half again as many features in every phrase, which costs about a fifth of start-up.
export const DEFAULT_WEIGHTS: FeatureWeights = { words: 1, concepts: 1, bigrams: 0.5, chars: 1, charMin: 3, charMax: 3 };
if (DEFAULT_WEIGHTS.charMin < 3 || DEFAULT_WEIGHTS.charMax > 4) throw new Error('character n-grams are numbered for lengths 3 and 4');

// Character n-grams are numbered directly from their letters: 36 letters and digits, the word boundary, other.
export const SYMBOLS = 38;
const BOUNDARY = 36;
const OTHER = 37;
// Keys stay below 2^30 so that V8 keeps them as small integers (no allocation, fast map lookups).
const WORD_BASE = 2 ** 22; // above every 3- and 4-gram code
const STEM_LIMIT = 2 ** 20;
const BIGRAM_BASE = 2 ** 24;
const BIGRAM_BUCKETS = 2 ** 29; // bigrams are hashed: a few thousand pairs in half a billion buckets

/** The number of a character of folded text in n-gram codes: a–z, 0–9, a space (word boundary), anything else. */
export function charSymbol(code: number): number {
  if (code === 32) return BOUNDARY;
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 22;
  return OTHER;
}

/** Numbers the stems seen in training; stems first met in a question have no number (and no weight). */
export class StemVocabulary {
  private readonly ids = new Map<string, number>();

  /** @param stems the stems of a vocabulary made before, in the order of their numbers (see `state()`). */
  constructor(stems: readonly string[] = []) {
    stems.forEach((stem, i) => this.ids.set(stem, i));
  }

  state(): string[] {
    return [...this.ids.keys()];
  }

  id(stem: string, learn: boolean): number {
    let id = this.ids.get(stem);
    if (id === undefined && learn && this.ids.size < STEM_LIMIT) this.ids.set(stem, (id = this.ids.size));
    return id ?? -1;
  }
}

/**
 * Features of a message, added to `bag`: stems (word meaning), the concepts each word belongs to (the same
 * meaning in other words and languages), stem bigrams (word order: "who heads" vs "heads of"), and character
 * n-grams of the unstemmed words (typos and inflections the stemmer does not know).
 * Each group is weighted separately; the vectoriser applies idf and normalises. When not learning, features
 * the training data never had count only towards the bag's unknown weight (for the coverage measure).
 */
export function addFeatures(
  bag: FeatureBag,
  tokens: readonly string[],
  stems: readonly string[],
  concepts: readonly (readonly string[])[],
  w: FeatureWeights,
  vocabulary: StemVocabulary,
  index: FeatureIndex,
  learn: boolean,
): void {
  let previous = -1;
  for (let i = 0; i < stems.length; i++) {
    const id = vocabulary.id(stems[i]!, learn);
    if (id >= 0) bag.add(index.id(WORD_BASE + id, learn), w.words);
    else bag.unknown += w.words;
    if (i > 0 && id >= 0 && previous >= 0) bag.add(index.id(BIGRAM_BASE + ((previous * 1_000_003 + id) % BIGRAM_BUCKETS), learn), w.bigrams);
    previous = id;
    addConcepts(bag, concepts[i] ?? [], w, vocabulary, index, learn);
    const token = tokens[i]!;
    if (token === PLACE_TOKEN) continue;
    const weight = w.chars / token.length;
    const codes = charGrams(token, w.charMin, w.charMax);
    for (let k = 0; k < codes.length; k++) bag.add(index.id(codes[k]!, learn), weight);
  }
}

/** Adds concept features: concept ids are numbered with the stems, marked so that no word can take their place. */
export function addConcepts(
  bag: FeatureBag,
  concepts: readonly string[],
  w: FeatureWeights,
  vocabulary: StemVocabulary,
  index: FeatureIndex,
  learn: boolean,
): void {
  for (const concept of concepts) {
    const c = vocabulary.id(`#${concept}`, learn);
    if (c >= 0) bag.add(index.id(WORD_BASE + c, learn), w.concepts);
    else bag.unknown += w.concepts;
  }
}

// Words repeat across phrases and questions: their n-gram codes are computed once per range of lengths
// (bounded, for made-up words).
const gramCaches = new Map<number, Map<string, Int32Array>>();
const GRAM_CODES = SYMBOLS ** 3 + SYMBOLS ** 4;

/** Codes of the character n-grams of a word with its boundaries ("<word>"), lengths min..max. */
function charGrams(token: string, min: number, max: number): Int32Array {
  let cache = gramCaches.get(min * 8 + max);
  if (!cache) gramCaches.set(min * 8 + max, (cache = new Map()));
  let codes = cache.get(token);
  if (codes) return codes;
  const length = token.length + 2;
  const at = (j: number) => (j === 0 || j === length - 1 ? BOUNDARY : charSymbol(token.charCodeAt(j - 1)));
  const list: number[] = [];
  for (let n = min; n <= max; n++) {
    const offset = n === 3 ? 0 : SYMBOLS ** 3;
    for (let j = 0; j + n <= length; j++) {
      let code = 0;
      for (let k = 0; k < n; k++) code = code * SYMBOLS + at(j + k);
      list.push(offset + code);
    }
  }
  codes = Int32Array.from(list);
  if (cache.size >= 100_000) cache.clear();
  cache.set(token, codes);
  return codes;
}

/**
 * Numbers feature keys densely in the order they are first met. Character n-grams, most of the features, are
 * looked up in a table indexed by their code (only the pages of codes met take memory); words and bigrams,
 * whose keys are sparse, in a map.
 */
export class FeatureIndex {
  /**
   * Id + 1 of each character n-gram code; 0 for codes never met. Sized for trigrams (the default) and grown to
   * the 4-gram codes only if those are used: 8 MB of RSS otherwise spent on nothing.
   */
  private grams = new Int32Array(SYMBOLS ** 3);
  private readonly others = new Map<number, number>();
  size = 0;

  /** The table of n-gram ids, grown to hold `key`. */
  private gramsTo(key: number): Int32Array {
    if (key >= this.grams.length) {
      const grown = new Int32Array(GRAM_CODES);
      grown.set(this.grams);
      this.grams = grown;
    }
    return this.grams;
  }

  /** Every key numbered so far with its id (for `Vectorizer.state()`). */
  state(): { keys: Int32Array; ids: Int32Array } {
    const keys: number[] = [];
    const ids: number[] = [];
    for (let code = 0; code < this.grams.length; code++) {
      if (this.grams[code] === 0) continue;
      keys.push(code);
      ids.push(this.grams[code]! - 1);
    }
    for (const [key, id] of this.others) {
      keys.push(key);
      ids.push(id);
    }
    return { keys: Int32Array.from(keys), ids: Int32Array.from(ids) };
  }

  restore({ keys, ids }: { keys: Int32Array; ids: Int32Array }): void {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key < GRAM_CODES) this.gramsTo(key)[key] = ids[i]! + 1;
      else this.others.set(key, ids[i]!);
    }
    this.size = keys.length;
  }

  /** The id of a key, numbering it when learning; -1 for a key never met otherwise. */
  id(key: number, learn: boolean): number {
    if (key < GRAM_CODES) {
      if (key >= this.grams.length && !learn) return -1;
      const grams = this.gramsTo(key);
      const id = grams[key]! - 1;
      if (id >= 0 || !learn) return id;
      grams[key] = this.size + 1;
      return this.size++;
    }
    const id = this.others.get(key);
    if (id !== undefined) return id;
    if (!learn) return -1;
    this.others.set(key, this.size);
    return this.size++;
  }
}

/** One message's features being summed: weights by feature id, the ids in the order first met, unknown weight. */
export class FeatureBag {
  private weights = new Float64Array(4096);
  readonly ids: number[] = [];
  unknown = 0;

  add(id: number, weight: number): void {
    // A group weighted 0 (when tuning) adds nothing: an id is listed when its weight first becomes non-zero.
    if (weight === 0) return;
    if (id < 0) {
      this.unknown += weight;
      return;
    }
    if (id >= this.weights.length) {
      const grown = new Float64Array(Math.max(id + 1, this.weights.length * 2));
      grown.set(this.weights);
      this.weights = grown;
    }
    if (this.weights[id] === 0) this.ids.push(id);
    this.weights[id]! += weight;
  }

  weight(id: number): number {
    return this.weights[id]!;
  }

  clear(): void {
    for (const id of this.ids) this.weights[id] = 0;
    this.ids.length = 0;
    this.unknown = 0;
  }
}

export interface VectorizerState {
  keys: Int32Array;
  ids: Int32Array;
  idf: Float32Array;
  documentCounts: Int32Array;
}

/** Learns inverse document frequencies from the training messages and turns bags into weighted vectors. */
export class Vectorizer {
  readonly index = new FeatureIndex();
  private idf: Float32Array = new Float32Array(0);
  /** In how many training messages each feature occurs. */
  documentCounts: Int32Array = new Int32Array(0);

  /**
   * Learns from the training messages and returns their vectors. `fill(i, bag)` adds the features of message
   * i to an empty bag (learning their ids), which is then reused: training keeps only compact typed arrays.
   */
  fitTransform(count: number, fill: (i: number, bag: FeatureBag) => void): SparseVector[] {
    const df: number[] = [];
    const bag = new FeatureBag();
    const encoded: SparseVector[] = [];
    for (let i = 0; i < count; i++) {
      bag.clear();
      fill(i, bag);
      const n = bag.ids.length;
      const ids = new Int32Array(n);
      const values = new Float32Array(n);
      for (let k = 0; k < n; k++) {
        const id = (ids[k] = bag.ids[k]!);
        df[id] = (df[id] ?? 0) + 1;
        values[k] = bag.weight(id);
      }
      encoded.push({ ids, values });
    }
    this.documentCounts = Int32Array.from(df);
    this.idf = Float32Array.from(df, (d) => Math.log((count + 1) / (d + 1)) + 1);
    for (const v of encoded) {
      for (let k = 0; k < v.ids.length; k++) v.values[k]! *= this.idf[v.ids[k]!]!;
      normalize(v.values);
    }
    return encoded;
  }

  get size(): number {
    return this.index.size;
  }

  state(): VectorizerState {
    return { ...this.index.state(), idf: this.idf, documentCounts: this.documentCounts };
  }

  restore(state: VectorizerState): void {
    this.index.restore(state);
    this.idf = state.idf;
    this.documentCounts = state.documentCounts;
  }

  /** The message's vector; the share of its weight the training data has seen is returned as `coverage`. */
  transform(bag: FeatureBag): SparseVector & { coverage: number } {
    const ids = Int32Array.from(bag.ids);
    const values = new Float32Array(ids.length);
    let known = 0;
    for (let k = 0; k < ids.length; k++) {
      const tf = bag.weight(ids[k]!);
      known += tf;
      values[k] = tf * this.idf[ids[k]!]!;
    }
    const total = known + bag.unknown;
    return { ids, values: normalize(values), coverage: total > 0 ? known / total : 0 };
  }
}

function normalize(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < values.length; i++) values[i]! /= norm;
  return values;
}
