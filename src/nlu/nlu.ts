import { LOCALES, languageOf, type Language } from '../core/locale.js';
import type { KnowledgeBase } from '../knowledge/types.js';
import { DEFAULT_WEIGHTS, FeatureBag, PLACE_TOKEN, StemVocabulary, Vectorizer, addFeatures, type FeatureWeights, type SparseVector } from './features.js';
import { LanguageDetector, type LanguageGuess } from './language.js';
import { fold, scriptOf, type Script } from './normalize.js';
import { PhraseIndex } from './phrases.js';
import { PlaceFinder, type PlaceMention } from './places.js';
import { DEFAULT_SOFTMAX, SoftmaxClassifier, softmaxInPlace, type SoftmaxOptions } from './softmax.js';
import { SpellingCorrector } from './spelling.js';
import { stemmerFor } from './stem.js';
import { tokenize } from './tokenize.js';

export interface RankedIntent {
  readonly intent: string;
  readonly probability: number;
}

/** What the NLU makes of one message, before the dialogue decides what to do with it. */
export interface Understanding {
  readonly language: LanguageGuess;
  readonly script: Script;
  readonly tokens: readonly string[];
  readonly places: readonly PlaceMention[];
  /** The most likely intents with their probabilities, best first (the top five). */
  readonly ranked: readonly RankedIntent[];
  /** The probability of any intent. */
  probabilityOf(intent: string): number;
  /** Share of the message's feature weight the training data has seen, 0..1. */
  readonly coverage: number;
  /** The message names another organisation or country (intents/entities/elsewhere.yaml). */
  readonly elsewhere: boolean;
}

const TOP = 5;

/** The k most probable intents, best first, without sorting all of them. */
function topIntents(probabilities: Float32Array, intents: readonly string[], k: number): RankedIntent[] {
  const best: RankedIntent[] = [];
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (best.length === k && p <= best[k - 1]!.probability) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.probability < p) at--;
    best.splice(at, 0, { intent: intents[i]!, probability: p });
    if (best.length > k) best.pop();
  }
  return best;
}

export interface NluOptions {
  weights: FeatureWeights;
  softmax: SoftmaxOptions;
  /** Softmax temperature applied at prediction: calibrates probabilities (see bench/nlu.ts). */
  temperature: number;
  /** Weight of the nearest training phrase of each intent, added to the regression's log-probabilities. */
  knn: number;
  /** Features in more than this share of training phrases are skipped when looking for the nearest phrase. */
  commonShare: number;
}

export const DEFAULT_NLU: NluOptions = { weights: DEFAULT_WEIGHTS, softmax: DEFAULT_SOFTMAX, temperature: 1, knn: 4, commonShare: 0.01 };

export interface TrainingExample {
  readonly text: string;
  readonly language: Language;
  readonly intent: string;
}

/** Every training phrase of the knowledge base, with its language. */
export function trainingExamples(kb: KnowledgeBase): TrainingExample[] {
  return kb.intents.flatMap(({ intent, utterances }) =>
    LOCALES.flatMap((locale) => utterances[locale].map((text) => ({ text, intent, language: languageOf(locale) }))),
  );
}

/**
 * Intent classification: fold → tokenise → find places (masked as one token, so "office in Gjakovë" is
 * learnt once for all towns) → correct typos → stem per language → features → softmax regression.
 * The similarity to each intent's nearest training phrase is added to the regression's evidence.
 */
export class Nlu {
  readonly intents: readonly string[];
  private readonly intentIndex: ReadonlyMap<string, number>;
  private readonly detector: LanguageDetector;
  private readonly placeFinder: PlaceFinder;
  private readonly elsewhere: PhraseIndex<true>;
  private readonly speller: SpellingCorrector;
  private readonly vectorizer = new Vectorizer();
  private readonly vocabulary = new StemVocabulary();
  private readonly model: SoftmaxClassifier;
  /** Training vectors by feature (compressed sparse columns), for the nearest-phrase similarity. */
  private readonly postingStart: Int32Array;
  private readonly postingExample: Int32Array;
  private readonly postingValue: Float32Array;
  private readonly dots: Float32Array;
  private readonly touched: Int32Array;
  private readonly exampleClass: Int32Array;
  private readonly classBest: Float32Array;
  private readonly commonFeature: number;
  private readonly scratch: Float32Array;
  private readonly bag = new FeatureBag();

  constructor(
    kb: KnowledgeBase,
    examples: readonly TrainingExample[] = trainingExamples(kb),
    private readonly options: NluOptions = DEFAULT_NLU,
  ) {
    this.intents = [...new Set(examples.map((e) => e.intent))].sort();
    this.intentIndex = new Map(this.intents.map((intent, i) => [intent, i]));
    const folded = examples.map((e) => fold(e.text));
    const tokens = folded.map(tokenize);
    this.detector = new LanguageDetector(examples.map((e, i) => ({ folded: folded[i]!, language: e.language })));
    this.placeFinder = new PlaceFinder(kb.places);
    this.elsewhere = new PhraseIndex(kb.elsewhere.map((name) => [name, true] as const));
    this.speller = new SpellingCorrector(tokens.flat());
    const xs = this.vectorizer.fitTransform(examples.length, (i, bag) => this.features(tokens[i]!, examples[i]!.language, true, bag));
    const ys = examples.map((e) => this.intentIndex.get(e.intent)!);
    this.model = new SoftmaxClassifier(this.vectorizer.size, this.intents.length).train(xs, ys, options.softmax);
    // Postings by feature: each feature's run starts after those of the features before it.
    const counts = new Int32Array(this.vectorizer.size + 1);
    counts.set(this.vectorizer.documentCounts, 1);
    for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
    this.postingStart = counts.slice();
    this.postingExample = new Int32Array(counts[counts.length - 1]!);
    this.postingValue = new Float32Array(this.postingExample.length);
    xs.forEach((x, example) => {
      for (let k = 0; k < x.ids.length; k++) {
        const at = counts[x.ids[k]!]!++;
        this.postingExample[at] = example;
        this.postingValue[at] = x.values[k]!;
      }
    });
    this.dots = new Float32Array(xs.length);
    this.touched = new Int32Array(xs.length);
    this.exampleClass = Int32Array.from(ys);
    this.classBest = new Float32Array(this.intents.length);
    this.commonFeature = Math.max(50, Math.round(xs.length * options.commonShare));
    this.scratch = new Float32Array(this.intents.length);
  }

  understand(text: string): Understanding {
    const folded = fold(text);
    const script = scriptOf(text);
    const language = this.detector.detect(text, script, folded);
    const tokens = tokenize(folded);
    const bag = this.bag;
    bag.clear();
    const places = this.features(tokens, language.language, false, bag);
    const x = this.vectorizer.transform(bag);
    this.nearest(x);
    const logits = this.model.scores(x, this.scratch);
    if (this.options.knn > 0) {
      softmaxInPlace(logits);
      for (let c = 0; c < logits.length; c++) logits[c] = Math.log(logits[c]! + 1e-9) + this.options.knn * this.classBest[c]!;
    }
    const probabilities = softmaxInPlace(logits, this.options.temperature);
    const ranked = topIntents(probabilities, this.intents, TOP);
    const copy = Float32Array.from(probabilities);
    const index = this.intentIndex;
    const probabilityOf = (intent: string) => {
      const i = index.get(intent);
      return i === undefined ? 0 : copy[i]!;
    };
    const elsewhere = this.elsewhere.find(tokens) ?? false;
    return { language, script, tokens, places, ranked, probabilityOf, coverage: x.coverage, elsewhere };
  }

  /** Adds the features of a message to `bag`; returns the places it names. */
  private features(tokens: readonly string[], language: Language, learn: boolean, bag: FeatureBag): PlaceMention[] {
    const correct = (w: string) => this.speller.correct(w);
    const places = this.placeFinder.find(tokens, (w) => this.speller.has(w), correct);
    const masked: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const mention = places.find((p) => p.start === i);
      if (mention) {
        masked.push(PLACE_TOKEN);
        i = mention.end - 1;
      } else masked.push(correct(tokens[i]!));
    }
    const stem = stemmerFor(language);
    const stems = masked.map((t) => (t === PLACE_TOKEN ? t : stem(t)));
    addFeatures(bag, masked, stems, this.options.weights, this.vocabulary, this.vectorizer.index, learn);
    return places;
  }

  /** Cosine similarity of the message to the closest training phrase of each intent, into classBest. */
  private nearest(x: SparseVector): void {
    const dots = this.dots;
    const touched = this.touched;
    let count = 0;
    for (let k = 0; k < x.ids.length; k++) {
      const id = x.ids[k]!;
      const v = x.values[k]!;
      const start = this.postingStart[id]!;
      const end = this.postingStart[id + 1]!;
      // Features shared by a large share of all phrases ("<ka", "the") weigh little in a cosine but cost the
      // most to accumulate: they are left out of this similarity.
      if (end - start > this.commonFeature) continue;
      for (let p = start; p < end; p++) {
        const e = this.postingExample[p]!;
        if (dots[e] === 0) touched[count++] = e;
        dots[e]! += this.postingValue[p]! * v;
      }
    }
    // Only the phrases that share a feature with the message are looked at, and reset, afterwards.
    const best = this.classBest;
    best.fill(0);
    for (let t = 0; t < count; t++) {
      const e = touched[t]!;
      const d = dots[e]!;
      dots[e] = 0;
      const c = this.exampleClass[e]!;
      if (d > best[c]!) best[c] = d;
    }
  }
}
