import type { SparseVector } from './features.js';

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_SOFTMAX: SoftmaxOptions = { epochs: 2, learningRate: 5, seed: 7 };

/** A trained classifier: each feature's weights as bytes with the feature's scale (see quantize()), and biases. */
export interface SoftmaxState {
  weights: Int8Array;
  scales: Float32Array;
  bias: Float32Array;
}

/**
 * Multinomial logistic regression on sparse vectors, trained by plain SGD in a fixed (seeded) order so that
 * training is deterministic. Once trained, its weights are kept as one byte each with a scale per feature: a
 * quarter of the memory (tens of thousands of features times fifty classes), for a difference in the scores
 * below what changes a decision (measured on the blind sets: the same answers).
 */
export class SoftmaxClassifier {
  /** Weights while training; afterwards `weights8` and `scales`. */
  private weights: Float32Array | undefined;
  private weights8: Int8Array | undefined;
  private scales: Float32Array | undefined;
  private readonly bias: Float32Array;

  /** @param trained the state of a classifier trained before (see `state()`). */
  constructor(
    features: number,
    readonly classes: number,
    trained?: SoftmaxState,
  ) {
    if (trained) {
      this.weights8 = trained.weights;
      this.scales = trained.scales;
    } else this.weights = new Float32Array(features * classes);
    this.bias = trained?.bias ?? new Float32Array(classes);
  }

  state(): SoftmaxState {
    if (!this.weights8 || !this.scales) throw new Error('train the classifier first');
    return { weights: this.weights8, scales: this.scales, bias: this.bias };
  }

  /** Keeps each feature's weights as bytes scaled by the feature's largest weight, and drops the floats. */
  private quantize(): void {
    const w = this.weights!;
    const C = this.classes;
    const features = w.length / C;
    this.weights8 = new Int8Array(w.length);
    this.scales = new Float32Array(features);
    for (let f = 0; f < features; f++) {
      let max = 0;
      for (let c = 0; c < C; c++) max = Math.max(max, Math.abs(w[f * C + c]!));
      const scale = max / 127 || 1;
      this.scales[f] = scale;
      for (let c = 0; c < C; c++) this.weights8[f * C + c] = Math.round(w[f * C + c]! / scale);
    }
    this.weights = undefined;
  }

  train(xs: readonly SparseVector[], ys: readonly number[], o: SoftmaxOptions = DEFAULT_SOFTMAX): this {
    const order = Array.from(xs.keys());
    const random = mulberry32(o.seed);
    const C = this.classes;
    const w = this.weights!;
    const gradient = new Float64Array(C);
    const active = new Int32Array(C);
    const step = new Float64Array(C);
    const bias = this.bias;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffle(order, random);
      const rate = o.learningRate / (1 + epoch * 0.5);
      for (const i of order) {
        const x = xs[i]!;
        const { ids, values } = x;
        this.scores(x, gradient);
        softmaxInPlace(gradient);
        gradient[ys[i]!]! -= 1;
        // Once trained a little, most classes have a negligible gradient: update only the others.
        let n = 0;
        for (let c = 0; c < C; c++) {
          if (Math.abs(gradient[c]!) <= 1e-3) continue;
          const g = gradient[c]! * rate;
          bias[c]! -= g * 0.1;
          active[n] = c;
          step[n++] = g;
        }
        // Feature by feature, so that each feature's row of weights is written in order.
        for (let k = 0; k < ids.length; k++) {
          const row = ids[k]! * C;
          const v = values[k]!;
          for (let a = 0; a < n; a++) w[row + active[a]!]! -= v * step[a]!;
        }
      }
    }
    this.quantize();
    return this;
  }

  /** Raw class scores (logits) into `out`. */
  scores<A extends Float32Array | Float64Array>(x: SparseVector, out: A): A {
    const C = this.classes;
    const { ids, values } = x;
    out.set(this.bias);
    const w = this.weights;
    if (w) {
      for (let k = 0; k < ids.length; k++) {
        const row = ids[k]! * C;
        const v = values[k]!;
        for (let c = 0; c < C; c++) out[c]! += w[row + c]! * v;
      }
      return out;
    }
    const w8 = this.weights8!;
    const scales = this.scales!;
    for (let k = 0; k < ids.length; k++) {
      const row = ids[k]! * C;
      const v = values[k]! * scales[ids[k]!]!;
      for (let c = 0; c < C; c++) out[c]! += w8[row + c]! * v;
    }
    return out;
  }

}

export function softmaxInPlace<A extends Float32Array | Float64Array>(v: A, temperature = 1): A {
  let max = -Infinity;
  for (const x of v) if (x > max) max = x;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] = Math.exp((v[i]! - max) / temperature);
  for (let i = 0; i < v.length; i++) v[i]! /= sum;
  return v;
}

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

/** A small seeded PRNG: training must give the same model on every start. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
