/** A sparse vector: parallel arrays of feature ids and values, L2-normalised. */
export interface SparseVector {
  readonly ids: Int32Array;
  readonly values: Float32Array;
}

export const PLACE_TOKEN = 'PLACE';

export interface FeatureWeights {
  words: number;
  bigrams: number;
  chars: number;
  /** Character n-gram lengths, inclusive, between 3 and 4. */
  charMin: number;
  charMax: number;
}

export const DEFAULT_WEIGHTS: FeatureWeights = { words: 1, bigrams: 0.5, chars: 0.8, charMin: 3, charMax: 4 };
if (DEFAULT_WEIGHTS.charMin < 3 || DEFAULT_WEIGHTS.charMax > 4) throw new Error('character n-grams are numbered for lengths 3 and 4');

/** Feature keys are numbers, not strings: extraction allocates nothing per feature, which keeps start-up fast. */
export type FeatureMap = Map<number, number>;

// Character n-grams are numbered directly from their letters: 36 letters and digits, the word boundary, other.
const SYMBOLS = 38;
const BOUNDARY = 36;
const OTHER = 37;
// Keys stay below 2^30 so that V8 keeps them as small integers (no allocation, fast map lookups).
const WORD_BASE = 2 ** 22; // above every 3- and 4-gram code
const STEM_LIMIT = 2 ** 20;
const BIGRAM_BASE = 2 ** 24;
const BIGRAM_BUCKETS = 2 ** 29; // bigrams are hashed: a few thousand pairs in half a billion buckets

function symbol(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 22;
  return OTHER;
}

/** Numbers the stems seen in training; stems first met in a question have no number (and no weight). */
export class StemVocabulary {
  private readonly ids = new Map<string, number>();

  id(stem: string, learn: boolean): number {
    let id = this.ids.get(stem);
    if (id === undefined && learn && this.ids.size < STEM_LIMIT) this.ids.set(stem, (id = this.ids.size));
    return id ?? -1;
  }
}

/**
 * Raw features of a message: stems (word meaning), stem bigrams (word order: "who heads" vs "heads of"),
 * and character n-grams of the unstemmed words (typos and inflections the stemmer does not know).
 * Each group is weighted separately; the vectoriser applies idf and normalises. Returns the features and
 * the weight of stems the vocabulary does not know (for the coverage measure).
 */
export function rawFeatures(
  tokens: readonly string[],
  stems: readonly string[],
  w: FeatureWeights,
  vocabulary: StemVocabulary,
  learn: boolean,
  f: FeatureMap = new Map(),
): { features: FeatureMap; unknown: number } {
  const add = (key: number, weight: number) => f.set(key, (f.get(key) ?? 0) + weight);
  let unknown = 0;
  let previous = -1;
  for (let i = 0; i < stems.length; i++) {
    const id = vocabulary.id(stems[i]!, learn);
    if (id >= 0) add(WORD_BASE + id, w.words);
    else unknown += w.words;
    if (i > 0 && id >= 0 && previous >= 0) add(BIGRAM_BASE + ((previous * 1_000_003 + id) % BIGRAM_BUCKETS), w.bigrams);
    previous = id;
    const token = tokens[i]!;
    if (token === PLACE_TOKEN) continue;
    const weight = w.chars / token.length;
    for (const code of charGrams(token, w.charMin, w.charMax)) add(code, weight);
  }
  return { features: f, unknown };
}

// Words repeat across phrases and questions: their n-gram codes are computed once (bounded, for made-up words).
const gramCache = new Map<string, Int32Array>();

/** Codes of the character n-grams of a word with its boundaries ("<word>"), lengths min..max. */
function charGrams(token: string, min: number, max: number): Int32Array {
  const key = `${min}${max}${token}`;
  let codes = gramCache.get(key);
  if (codes) return codes;
  const length = token.length + 2;
  const at = (j: number) => (j === 0 || j === length - 1 ? BOUNDARY : symbol(token.charCodeAt(j - 1)));
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
  if (gramCache.size >= 100_000) gramCache.clear();
  gramCache.set(key, codes);
  return codes;
}

/** Learns the feature dictionary and inverse document frequencies from the training messages. */
export class Vectorizer {
  private readonly index = new Map<number, number>();
  private idf: Float32Array = new Float32Array(0);

  /**
   * Learns from the training messages and returns their vectors. `fill(i, map)` puts the features of message i
   * into an empty map, which is then reused: training keeps only compact typed arrays per message.
   */
  fitTransform(count: number, fill: (i: number, features: FeatureMap) => void): SparseVector[] {
    const df: number[] = [];
    const features: FeatureMap = new Map();
    const encoded: SparseVector[] = [];
    for (let i = 0; i < count; i++) {
      features.clear();
      fill(i, features);
      const ids = new Int32Array(features.size);
      const values = new Float32Array(features.size);
      let k = 0;
      features.forEach((tf, key) => {
        let id = this.index.get(key);
        if (id === undefined) this.index.set(key, (id = this.index.size));
        df[id] = (df[id] ?? 0) + 1;
        ids[k] = id;
        values[k++] = tf;
      });
      encoded.push({ ids, values });
    }
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

  /** Features never seen in training are dropped; the share of known weight is returned as `coverage`. */
  transform(doc: FeatureMap, unknownWeight = 0): SparseVector & { coverage: number } {
    const ids = new Int32Array(doc.size);
    const values = new Float32Array(doc.size);
    let n = 0;
    let known = 0;
    let total = unknownWeight;
    doc.forEach((tf, key) => {
      total += tf;
      const id = this.index.get(key);
      if (id === undefined) return;
      known += tf;
      ids[n] = id;
      values[n++] = tf * this.idf[id]!;
    });
    return { ids: ids.subarray(0, n), values: normalize(values.subarray(0, n)), coverage: total > 0 ? known / total : 0 };
  }
}

function normalize(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < values.length; i++) values[i]! /= norm;
  return values;
}
