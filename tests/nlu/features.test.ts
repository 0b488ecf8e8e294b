import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS, FeatureBag, PLACE_TOKEN, StemVocabulary, Vectorizer, addFeatures } from '../../src/nlu/features.js';

const norm = (values: Float32Array) => Math.sqrt(values.reduce((s, v) => s + v * v, 0));

describe('features', () => {
  it('sums repeated features, lists each id once in the order first met, and ignores zero weights', () => {
    const bag = new FeatureBag();
    bag.add(7, 0.5);
    bag.add(3, 1);
    bag.add(7, 0.25);
    bag.add(9, 0);
    bag.add(9, 0);
    bag.add(-1, 2);
    expect(bag.ids).toEqual([7, 3]);
    expect(bag.weight(7)).toBe(0.75);
    expect(bag.unknown).toBe(2);
    bag.clear();
    expect(bag.ids).toEqual([]);
    expect(bag.weight(7)).toBe(0);
    expect(bag.unknown).toBe(0);
  });

  it('learns ids from training messages and measures how much of a new message it knows', () => {
    const vocabulary = new StemVocabulary();
    const vectorizer = new Vectorizer();
    const training = [['mission', 'budget'], ['mission', 'office', PLACE_TOKEN]];
    const xs = vectorizer.fitTransform(training.length, (i, bag) => addFeatures(bag, training[i]!, training[i]!, [], DEFAULT_WEIGHTS, vocabulary, vectorizer.index, true));
    expect(xs).toHaveLength(2);
    for (const x of xs) expect(norm(x.values)).toBeCloseTo(1, 5);
    expect(vectorizer.size).toBe(new Set(xs.flatMap((x) => [...x.ids])).size);

    const bag = new FeatureBag();
    addFeatures(bag, ['mission', 'budget'], ['mission', 'budget'], [], DEFAULT_WEIGHTS, vocabulary, vectorizer.index, false);
    const known = vectorizer.transform(bag);
    expect(known.coverage).toBe(1);
    expect([...known.ids]).toEqual([...xs[0]!.ids]);

    bag.clear();
    addFeatures(bag, ['mission', 'zzzz'], ['mission', 'zzzz'], [], DEFAULT_WEIGHTS, vocabulary, vectorizer.index, false);
    const partly = vectorizer.transform(bag);
    expect(partly.coverage).toBeGreaterThan(0);
    expect(partly.coverage).toBeLessThan(0.7);
    expect(norm(partly.values)).toBeCloseTo(1, 5);
    // Nothing is learnt from a question: the unknown word got no id.
    expect(vectorizer.size).toBe(new Set(xs.flatMap((x) => [...x.ids])).size);
  });

  it('gives a place one feature, not the letters of the word PLACE', () => {
    const vocabulary = new StemVocabulary();
    const vectorizer = new Vectorizer();
    vectorizer.fitTransform(1, (_i, bag) => addFeatures(bag, [PLACE_TOKEN], [PLACE_TOKEN], [], DEFAULT_WEIGHTS, vocabulary, vectorizer.index, true));
    expect(vectorizer.size).toBe(1);
  });
});
