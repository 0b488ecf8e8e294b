import { LOCALES, languageOf, type Language } from '../core/locale.js';
import { OUT_OF_SCOPE } from '../core/intents.js';
import type { KnowledgeBase } from '../knowledge/types.js';
import { ConceptLexicon } from './concept-lexicon.js';
import type { WordFinder } from './concepts.js';
import { LanguageCues, hasCue } from './cues.js';
import { KnowledgeEvidence } from './evidence.js';
import { DEFAULT_WEIGHTS, FeatureBag, PLACE_TOKEN, StemVocabulary, Vectorizer, addConcepts, addFeatures, type FeatureWeights, type SparseVector, type VectorizerState } from './features.js';
import { LanguageDetector, type LanguageDetectorState, type LanguageGuess } from './language.js';
import { languageModule } from './languages/index.js';
import { fold, scriptOf, type Script } from './normalize.js';
import { PhraseIndex } from './phrases.js';
import { PlaceFinder, type PlaceMention } from './places.js';
import { DEFAULT_SOFTMAX, SoftmaxClassifier, softmaxInPlace, type SoftmaxOptions, type SoftmaxState } from './softmax.js';
import { SpellingCorrector, type SpellerState } from './spelling.js';
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
  /**
   * The share of the message's words (of four letters or more, not function words, not in most answers) that the
   * answer of `intent` holds: a follow-up about a part of the last answer ("od toga lokalnih?" after the staff
   * figures) uses its words.
   */
  shareIn(intent: string): number;
  /** Share of the message's feature weight the training data has seen, 0..1. */
  readonly coverage: number;
  /** The message names another organisation or country (intents/entities/elsewhere.yaml). */
  readonly elsewhere: boolean;
  /** The concepts of the lexicon the message's words belong to (intents/lexicon/). */
  readonly concepts: ReadonlySet<string>;
  /** The message names a concept of some topic (not only "how many", "before", a name). */
  readonly topical: boolean;
  /**
   * Cue words of the message's language (intents/languages/): the person speaks of themselves, addresses us,
   * points back to the last answer ("they", "tamo").
   */
  readonly cues: { readonly self: boolean; readonly you: boolean; readonly anaphora: boolean };
  /** Positions of the words that ask the assistant to do something (please, write, repeat, daj). */
  readonly requests: readonly number[];
  /** Positions of the words that deny what follows (not, nuk, ne). */
  readonly negations: readonly number[];
  /**
   * Places the message asks about, the likeliest first: not those the person only says they are from ("pozdrav iz
   * opštine Zvečan"), and a town with a regional centre before another ("I live near Štrpce, the closest town is
   * Prizren: is there an office?").
   */
  readonly asked: readonly PlaceMention[];
  /** Tokens that carry something besides courtesy (hello, thanks, please). */
  readonly contentTokens: number;
}

/** A message with less of its features known to training than this, read as out of scope, is read again by its
 * concepts alone (a neighbouring language), and that reading is kept when its best topic is this likely. */
const FOREIGN_COVERAGE = 0.8;
const FOREIGN_SURE = 0.5;

/**
 * The token span of the question among the text's sentences: the last one ending with "?", else the last one
 * (the whole text when it has one sentence, or the sentences cannot be told).
 */
function questionSpan(text: string, tokens: number): [number, number] {
  const sentences = (text.match(/[^.!?;\n]+[.!?;\n]*/g) ?? [])
    .map((s) => ({ tokens: tokenize(fold(s)).length, asks: s.includes('?') }))
    .filter((s) => s.tokens > 0);
  if (sentences.length < 2 || sentences.reduce((a, s) => a + s.tokens, 0) !== tokens) return [0, tokens];
  const asking = sentences.map((s) => s.asks).lastIndexOf(true);
  const index = asking >= 0 ? asking : sentences.length - 1;
  const start = sentences.slice(0, index).reduce((a, s) => a + s.tokens, 0);
  return [start, start + sentences[index]!.tokens];
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** A place counts as where the person is from when an origin word stands at most this many words before it. */
const ORIGIN_REACH = 5;

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
  /** Weight of the knowledge's evidence (BM25 over answers, see evidence.ts), added like the nearest phrase. */
  evidence: number;
  /** BM25 scores are divided by the best one, or by this when the best is lower (weak matches stay weak). */
  evidenceScale: number;
}

export const DEFAULT_NLU: NluOptions = {
  weights: DEFAULT_WEIGHTS,
  softmax: DEFAULT_SOFTMAX,
  temperature: 1,
  knn: 4,
  commonShare: 0.01,
  evidence: 2,
  evidenceScale: 8,
};

export interface UnderstandOptions {
  /** Leave out courtesy words (hello, thanks, please): "thanks, and what is the budget?" asks the budget. */
  dropCourtesy?: boolean;
}

/** What training learns: enough to restore an Nlu without training again. */
export interface NluState {
  intents: string[];
  detector: LanguageDetectorState;
  speller: SpellerState;
  vectorizer: VectorizerState;
  vocabulary: string[];
  model: SoftmaxState;
  postingStart: Int32Array;
  postingExample: Int32Array;
  postingValue: Float32Array;
  exampleClass: Int32Array;
  commonFeature: number;
}

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
 * Intent classification: fold → tokenise → detect the language (without place names) → find places (masked as
 * one token, so "office in Gjakovë" is learnt once for all towns) → standard spellings → stems and the lexicon's
 * concepts per language → features → softmax regression. The similarity to each intent's nearest training phrase
 * and the knowledge's evidence (the answers' own text, by BM25) are added to the regression's log-probabilities.
 */
export class Nlu {
  readonly intents: readonly string[];
  private readonly intentIndex: ReadonlyMap<string, number>;
  private readonly detector: LanguageDetector;
  private readonly placeFinder: PlaceFinder;
  private readonly elsewhere: PhraseIndex<true>;
  private readonly speller: SpellingCorrector;
  private readonly lexicon: ConceptLexicon;
  private readonly cues: LanguageCues;
  private readonly evidence: KnowledgeEvidence;
  private readonly vectorizer = new Vectorizer();
  private readonly vocabulary: StemVocabulary;
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

  /**
   * Trains on the examples (by default every training phrase of the knowledge base), or restores what was
   * trained before from its state (see `state()` and model-file.ts), which takes a fraction of the time.
   */
  constructor(
    kb: KnowledgeBase,
    source: readonly TrainingExample[] | NluState = trainingExamples(kb),
    private readonly options: NluOptions = DEFAULT_NLU,
  ) {
    const trained = Array.isArray(source) ? undefined : (source as NluState);
    const examples = trained ? [] : (source as readonly TrainingExample[]);
    this.intents = trained?.intents ?? [...new Set(examples.map((e) => e.intent))].sort();
    this.intentIndex = new Map(this.intents.map((intent, i) => [intent, i]));
    const folded = examples.map((e) => fold(e.text));
    const tokens = folded.map(tokenize);
    const cueSamples = kb.languageData.flatMap((d) => d.cues.map((w) => ({ folded: fold(w.replace('*', '')), language: d.language })));
    this.detector = new LanguageDetector(trained?.detector ?? [...examples.map((e, i) => ({ folded: folded[i]!, language: e.language })), ...cueSamples]);
    this.placeFinder = new PlaceFinder(kb.places);
    this.elsewhere = new PhraseIndex(kb.elsewhere.map((name) => [name, true] as const));
    this.speller = new SpellingCorrector(trained?.speller ?? tokens.flat());
    this.lexicon = new ConceptLexicon(kb.concepts);
    this.cues = new LanguageCues(kb.languageData);
    // Evidence keys of a word: the concepts it belongs to, and its first six letters (language-neutral).
    this.evidence = new KnowledgeEvidence(kb, (word) => evidenceKeys(word, this.lexicon.anyLanguage));
    if (trained) {
      this.vocabulary = new StemVocabulary(trained.vocabulary);
      this.vectorizer.restore(trained.vectorizer);
      this.model = new SoftmaxClassifier(this.vectorizer.size, this.intents.length, trained.model);
      this.postingStart = trained.postingStart;
      this.postingExample = trained.postingExample;
      this.postingValue = trained.postingValue;
      this.exampleClass = trained.exampleClass;
      this.commonFeature = trained.commonFeature;
    } else {
      this.vocabulary = new StemVocabulary();
      const xs = this.vectorizer.fitTransform(examples.length, (i, bag) => void this.features(tokens[i]!, examples[i]!.language, true, bag));
      const ys = examples.map((e) => this.intentIndex.get(e.intent)!);
      this.model = new SoftmaxClassifier(this.vectorizer.size, this.intents.length).train(xs, ys, options.softmax);
      this.commonFeature = Math.max(50, Math.round(xs.length * options.commonShare));
      // Postings by feature: each feature's run starts after those of the features before it. Common features
      // are left out of the nearest-phrase similarity (see nearest()), so they get no run: two thirds of the
      // postings, and of their memory.
      const counts = new Int32Array(this.vectorizer.size + 1);
      this.vectorizer.documentCounts.forEach((df, feature) => (counts[feature + 1] = df > this.commonFeature ? 0 : df));
      for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
      this.postingStart = counts.slice();
      this.postingExample = new Int32Array(counts[counts.length - 1]!);
      this.postingValue = new Float32Array(this.postingExample.length);
      xs.forEach((x, example) => {
        for (let k = 0; k < x.ids.length; k++) {
          if (this.vectorizer.documentCounts[x.ids[k]!]! > this.commonFeature) continue;
          const at = counts[x.ids[k]!]!++;
          this.postingExample[at] = example;
          this.postingValue[at] = x.values[k]!;
        }
      });
      this.exampleClass = Int32Array.from(ys);
    }
    this.dots = new Float32Array(this.exampleClass.length);
    this.touched = new Int32Array(this.exampleClass.length);
    this.classBest = new Float32Array(this.intents.length);
    this.scratch = new Float32Array(this.intents.length);
  }

  /** What was learnt in training, to keep in a file and restore without training (see model-file.ts). */
  state(): NluState {
    return {
      intents: [...this.intents],
      detector: this.detector.state(),
      speller: this.speller.state(),
      vectorizer: this.vectorizer.state(),
      vocabulary: this.vocabulary.state(),
      model: this.model.state(),
      postingStart: this.postingStart,
      postingExample: this.postingExample,
      postingValue: this.postingValue,
      exampleClass: this.exampleClass,
      commonFeature: this.commonFeature,
    };
  }

  understand(text: string, options: UnderstandOptions = {}): Understanding {
    const folded = fold(text);
    const script = scriptOf(text);
    let tokens = tokenize(folded);
    const language = this.detectLanguage(text, script, folded, tokens);
    let marks = this.cues.marks(language.language, tokens);
    const courtesy = marks.map((m) => m.includes('courtesy'));
    const contentTokens = courtesy.filter((c) => !c).length;
    if (options.dropCourtesy && contentTokens > 0) {
      tokens = tokens.filter((_t, i) => !courtesy[i]);
      marks = marks.filter((_m, i) => !courtesy[i]);
    }
    const bag = this.bag;
    bag.clear();
    const { places, words, concepts } = this.features(tokens, language.language, false, bag);
    const x = this.vectorizer.transform(bag);
    const lexicon = this.lexicon.in(language.language);
    const evidence = this.options.evidence > 0 ? this.evidence.scores(words, (w) => evidenceKeys(w, lexicon)) : undefined;
    let best = 0;
    for (const score of evidence?.values() ?? []) best = Math.max(best, score);
    let probabilities = this.probabilities(x, evidence, best, true);
    const topical = concepts.some((list) => list.some((c) => this.lexicon.isTopical(c)));
    if (this.intents[argmax(probabilities)] === OUT_OF_SCOPE && topical && x.coverage < FOREIGN_COVERAGE) {
      // Words the training phrases do not have, yet concepts of a topic ("Misyonun başkanı kim?" in Turkish): read by
      // its concepts alone, the message may be a question in a neighbouring language about a topic we answer.
      bag.clear();
      addConcepts(bag, [...new Set(concepts.flat())], this.options.weights, this.vocabulary, this.vectorizer.index, false);
      const byConcepts = this.probabilities(this.vectorizer.transform(bag), evidence, best, false);
      const top = argmax(byConcepts);
      if (this.intents[top] !== OUT_OF_SCOPE && byConcepts[top]! >= FOREIGN_SURE) probabilities = byConcepts;
    }
    const ranked = topIntents(probabilities, this.intents, TOP);
    const copy = Float32Array.from(probabilities);
    const index = this.intentIndex;
    const probabilityOf = (intent: string) => {
      const i = index.get(intent);
      return i === undefined ? 0 : copy[i]!;
    };
    const elsewhere = this.elsewhere.find(tokens) ?? false;
    // The question's sentence: a place told in another one ("I work for a portal in Ferizaj. Whom do I contact?") is
    // where the person is, unless the question points back to it ("…Do you have an office there?").
    const [from, to] = options.dropCourtesy ? [0, tokens.length] : questionSpan(text, tokens.length);
    const long = words.filter((w) => w.length >= 4 && !this.cues.isFunctionWord(language.language, w) && !this.evidence.common(evidenceKeys(w, lexicon)));
    // The words themselves (their first letters), not their concepts: a follow-up in the last answer's own words.
    const shareIn = (intent: string) => (long.length ? long.filter((w) => this.evidence.uses(intent, w)).length / long.length : 0);
    return {
      language,
      script,
      tokens,
      places,
      ranked,
      probabilityOf,
      shareIn,
      coverage: x.coverage,
      elsewhere,
      concepts: new Set(concepts.flat()),
      topical,
      // A follow-up points back with a pronoun anywhere ("those", "tamo"), or opens with "and…", "a…", "po…".
      cues: { self: hasCue(marks, 'self'), you: hasCue(marks, 'you'), anaphora: hasCue(marks, 'anaphora') || hasCue(marks, 'continuation') },
      requests: marks.flatMap((m, i) => (m.includes('request') ? [i] : [])),
      negations: marks.flatMap((m, i) => (m.includes('negation') ? [i] : [])),
      asked: places
        .filter((p) => !hasCue(marks.slice(Math.max(0, p.start - ORIGIN_REACH), p.start), 'origin'))
        .filter((p) => (p.start >= from && p.start < to) || hasCue(marks.slice(from, to), 'there'))
        .sort((a, b) => Number(a.place.kind === 'municipality') - Number(b.place.kind === 'municipality')),
      contentTokens,
    };
  }

  /**
   * Intent probabilities of a message vector: the regression's, the nearest training phrase of each intent (when
   * `nearest`), and the knowledge's evidence, combined in log space.
   */
  private probabilities(x: SparseVector, evidence: Map<string, number> | undefined, best: number, nearest: boolean): Float32Array {
    if (nearest) this.nearest(x);
    else this.classBest.fill(0);
    const logits = softmaxInPlace(this.model.scores(x, this.scratch));
    const scale = Math.max(best, this.options.evidenceScale);
    for (let c = 0; c < logits.length; c++) {
      const e = evidence?.get(this.intents[c]!) ?? 0;
      logits[c] = Math.log(logits[c]! + 1e-9) + this.options.knn * this.classBest[c]! + (this.options.evidence * e) / scale;
    }
    return softmaxInPlace(logits, this.options.temperature);
  }

  /**
   * The message's language, read without the places it names: "I live in Zvečan" is English although "č" is a
   * Serbian letter, and "Fushë Kosovë" does not make a Serbian sentence Albanian.
   */
  private detectLanguage(text: string, script: Script, folded: string, tokens: readonly string[]): LanguageGuess {
    const places = this.placeFinder.find(tokens, (w) => this.speller.has(w), (w) => this.speller.correct(w));
    if (places.length === 0) return this.detector.detect(text, script, folded);
    const named = new Set(places.flatMap((p) => tokens.slice(p.start, p.end)));
    const rest = text
      .split(/([^\p{L}\p{N}]+)/u)
      .filter((word) => !named.has(fold(word)))
      .join('');
    return this.detector.detect(rest, scriptOf(rest) === 'none' ? script : scriptOf(rest));
  }

  /**
   * A word as the training phrases would write it: a dialect's or variety's word given in the language data, a
   * form the language module derives (Ijekavian → Ekavian), else a one-letter typo corrected.
   */
  private standardWord(token: string, language: Language): string {
    const listed = this.cues.variant(language, token);
    if (listed) return listed;
    if (this.speller.has(token)) return token;
    for (const v of languageModule(language).variants(token)) if (this.speller.has(v)) return v;
    return this.speller.correct(token);
  }

  /** Adds the features of a message to `bag`; returns the places it names, its words and their concepts. */
  private features(tokens: readonly string[], language: Language, learn: boolean, bag: FeatureBag) {
    const standard = (w: string) => this.standardWord(w, language);
    const places = this.placeFinder.find(tokens, (w) => this.speller.has(w), standard);
    const masked: string[] = [];
    const original: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const mention = places.find((p) => p.start === i);
      original.push(tokens[i]!);
      if (mention) {
        masked.push(PLACE_TOKEN);
        i = mention.end - 1;
      } else masked.push(standard(tokens[i]!));
    }
    const concepts = this.lexicon.find(language, original, masked, (i) => masked[i] === PLACE_TOKEN);
    const stem = languageModule(language).stem;
    const stems = masked.map((t) => (t === PLACE_TOKEN ? t : stem(t)));
    addFeatures(bag, masked, stems, concepts, this.options.weights, this.vocabulary, this.vectorizer.index, learn);
    return { places, words: masked.filter((t) => t !== PLACE_TOKEN), concepts };
  }

  /** Cosine similarity of the message to the closest training phrase of each intent, into classBest. */
  private nearest(x: SparseVector): void {
    const dots = this.dots;
    const touched = this.touched;
    let count = 0;
    for (let k = 0; k < x.ids.length; k++) {
      const id = x.ids[k]!;
      const v = x.values[k]!;
      // Features shared by a large share of all phrases ("<ka", "the") weigh little in a cosine but cost the
      // most to accumulate: they have no postings (see the constructor), so they are left out of this similarity.
      const end = this.postingStart[id + 1]!;
      for (let p = this.postingStart[id]!; p < end; p++) {
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

/** Evidence keys of a word: the concepts it belongs to, and its first six letters (language-neutral). */
function evidenceKeys(word: string, concepts: WordFinder): string[] {
  const keys = concepts.ofWord(word).map((c) => `#${c}`);
  if (word.length >= 3) keys.push(word.slice(0, 6));
  return keys;
}
