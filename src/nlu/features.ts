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
  /** Character n-gram lengths, inclusive. */
  charMin: number;
  charMax: number;
}

export const DEFAULT_WEIGHTS: FeatureWeights = { words: 1, bigrams: 0.5, chars: 0.8, charMin: 3, charMax: 4 };

/**
 * Raw features of a message: stems (word meaning), stem bigrams (word order: "who heads" vs "heads of"),
 * and character 3–5-grams of the unstemmed words (typos and inflections the stemmer does not know).
 * Each group is weighted separately; the vectoriser applies idf and normalises.
 */
export function rawFeatures(tokens: readonly string[], stems: readonly string[], w: FeatureWeights): Map<string, number> {
  const f = new Map<string, number>();
  const add = (key: string, weight: number) => f.set(key, (f.get(key) ?? 0) + weight);
  for (let i = 0; i < stems.length; i++) {
    const stem = stems[i]!;
    add(`w:${stem}`, w.words);
    if (i > 0) add(`b:${stems[i - 1]}_${stem}`, w.bigrams);
    const token = tokens[i]!;
    if (token === PLACE_TOKEN) continue;
    const padded = `<${token}>`;
    for (let n = w.charMin; n <= w.charMax; n++) {
      for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`, w.chars / (padded.length - 2));
    }
  }
  return f;
}

/** Learns the feature dictionary and inverse document frequencies from the training messages. */
export class Vectorizer {
  private readonly index = new Map<string, number>();
  private idf: Float32Array = new Float32Array(0);

  /** Learns from the training messages and returns their vectors, in one pass over the features. */
  fitTransform(documents: readonly Map<string, number>[]): SparseVector[] {
    const df: number[] = [];
    const encoded = documents.map((doc) => {
      const ids = new Int32Array(doc.size);
      const values = new Float32Array(doc.size);
      let k = 0;
      for (const [key, tf] of doc) {
        let id = this.index.get(key);
        if (id === undefined) this.index.set(key, (id = this.index.size));
        df[id] = (df[id] ?? 0) + 1;
        ids[k] = id;
        values[k++] = tf;
      }
      return { ids, values };
    });
    const n = documents.length;
    this.idf = Float32Array.from(df, (d) => Math.log((n + 1) / (d + 1)) + 1);
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
  transform(doc: Map<string, number>): SparseVector & { coverage: number } {
    const ids: number[] = [];
    const values: number[] = [];
    let known = 0;
    let total = 0;
    for (const [key, tf] of doc) {
      total += tf;
      const id = this.index.get(key);
      if (id === undefined) continue;
      known += tf;
      ids.push(id);
      values.push(tf * this.idf[id]!);
    }
    return {
      ids: Int32Array.from(ids),
      values: normalize(Float32Array.from(values)),
      coverage: total > 0 ? known / total : 0,
    };
  }
}

function normalize(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < values.length; i++) values[i]! /= norm;
  return values;
}
