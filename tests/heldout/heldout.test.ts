import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/core/locale.js';
import { fold } from '../../src/nlu/normalize.js';
import { evaluate } from '../../bench/evaluate.js';
import { assistant, knowledge } from '../support/engine.js';
import { DEV_SET, heldOut, outOfScope } from './load.js';

const training = new Map(knowledge().intents.flatMap(({ intent, utterances }) => LOCALES.flatMap((l) => utterances[l].map((u) => [fold(u), intent] as const))));

describe.each([
  ['held-out set', undefined],
  ['development set', DEV_SET],
])('%s', (_name, dir) => {
  const cases = heldOut(dir);
  const oos = outOfScope(dir);

  it('shares no phrase with the training data', () => {
    const shared = [...cases.map((c) => c.text), ...oos.map((c) => c.text)].filter((t) => training.has(fold(t)));
    expect(shared).toEqual([]);
  });

  it('labels with intents that exist, and has enough questions in every language', () => {
    const known = new Set(knowledge().intents.map((i) => i.intent));
    for (const c of cases) expect(known.has(c.intent), c.intent).toBe(true);
    for (const l of LOCALES) expect(cases.filter((c) => c.lang === l).length).toBeGreaterThanOrEqual(60);
    expect(oos.length).toBeGreaterThanOrEqual(100);
  });
});

// Regression floors within two points of what `npm run bench` measures and the README reports (en 100, sq 99.1,
// sr-Latn 100, sr-Cyrl 99.1%, out of scope refused 97.7%, reply language 98.5%): the model is trained
// deterministically, so a drop below one means a change made the assistant worse. Raise them when it gets better.
const FLOORS = { en: 0.98, sq: 0.972, 'sr-Latn': 0.98, 'sr-Cyrl': 0.972 } as const;

describe('accuracy floor on the held-out set', () => {
  const bot = assistant();
  let n = 0;
  const scores = evaluate(heldOut(), outOfScope(), (text) => {
    const reply = bot.respond({ sessionId: `floor-${n++}`, text });
    return { intent: reply.intent, refused: reply.fallback, lang: reply.lang };
  });
  it.each(LOCALES)('%s', (locale) => {
    const { correct, total } = scores.perLanguage[locale];
    expect(correct / total).toBeGreaterThanOrEqual(FLOORS[locale]);
  });
  it('refuses out-of-scope messages', () => {
    expect(scores.outOfScope.refused / scores.outOfScope.total).toBeGreaterThanOrEqual(0.957);
  });
  it('replies in the language of the question', () => {
    expect(scores.languageDetection.correct / scores.languageDetection.total).toBeGreaterThanOrEqual(0.965);
  });
});
