import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/core/locale.js';
import { DIALOGUE_INTENTS } from '../../src/core/intents.js';
import { Assistant } from '../../src/dialogue/assistant.js';
import { PROJECT_ROOT, loadKnowledge, loadKnowledgeOrThrow } from '../../src/knowledge/load.js';
import { InvalidContentError, formatProblem } from '../../src/knowledge/types.js';
import { fold } from '../../src/nlu/normalize.js';
import { knowledge } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

describe('the knowledge base', () => {
  const kb = knowledge();
  const everyText = () =>
    [...kb.answers.values()].flatMap((a) => [a.text, a.label, ...Object.values(a.byPlace).map((c) => c!.text)]).concat(Object.values(kb.dialogue));

  it('is valid', () => {
    const result = loadKnowledge();
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  it('has every text in all four languages, Cyrillic in Cyrillic', () => {
    for (const text of everyText()) {
      for (const locale of LOCALES) expect(text[locale].trim().length).toBeGreaterThan(0);
      expect(text['sr-Cyrl']).toMatch(/[\u0400-\u04FF]/);
    }
  });

  it('never uses status wording the Mission does not use, in any language', () => {
    const banned = ['republic of kosovo', 'republika e kosoves', 'republika kosovo', 'kosovo i metohija', 'kosovo and metohija', 'kosova dhe metohija'];
    for (const text of everyText()) for (const locale of LOCALES) for (const b of banned) expect(fold(text[locale])).not.toContain(b);
  });

  it('gives both official forms of a regional centre wherever it names one', () => {
    const answers = [...kb.answers.values()].map((a) => a.text);
    const peja = answers.filter((t) => t.en.includes('Pejë'));
    expect(peja.length).toBeGreaterThan(0);
    for (const t of peja) {
      expect(t.en).toContain('Pejë/Peć');
      expect(t.sq).toContain('Pejë/Peć');
      expect(t['sr-Latn']).toContain('Peć/Pejë');
      expect(t['sr-Cyrl']).toContain('Пећ/Pejë');
    }
  });

  it('rests every knowledge answer on a passage of the source', () => {
    const source = readFileSync(join(PROJECT_ROOT, 'content/source/osce-mission-in-kosovo.md'), 'utf8').replace(/\*+/g, '').replace(/\s+/g, ' ');
    for (const a of kb.answers.values()) {
      if (a.kind === 'knowledge') expect(a.source.length, a.intent).toBeGreaterThan(0);
      for (const passage of a.source) expect(source, a.intent).toContain(passage.replace(/\*+/g, '').replace(/\s+/g, ' ').trim());
    }
  });

  it('states every number of the fact sheet somewhere', () => {
    const all = [...kb.answers.values()].map((a) => a.text.en).join('\n') + kb.dialogue.contacts.en;
    for (const fact of ['1244', '305', '1 July 1999', '1999', '503', '116', '387', '17,510,500', 'Jan Braathu', '+381 38 240 100 ext. 1118', 'press.omik@osce.org', 'www.osce.org/kosovo', '@oscekosovo', 'Abdyl Frashëri, 37', '10000', 'over 30 field teams'])
      expect(all).toContain(fact);
  });

  it('has training phrases for every answer and every dialogue intent', () => {
    const trained = new Set(kb.intents.map((i) => i.intent));
    for (const id of [...kb.answers.keys(), ...DIALOGUE_INTENTS]) expect(trained.has(id), id).toBe(true);
    for (const { intent, utterances } of kb.intents) for (const l of LOCALES) expect(utterances[l].length, `${intent} ${l}`).toBeGreaterThanOrEqual(12);
  });
});

describe('invalid content', () => {
  function brokenCopy(edit: (root: string) => void): string {
    const root = tempDir('content');
    cpSync(join(PROJECT_ROOT, 'content'), join(root, 'content'), { recursive: true });
    cpSync(join(PROJECT_ROOT, 'intents'), join(root, 'intents'), { recursive: true });
    edit(root);
    return root;
  }

  it('names the file, the entry and what is wrong', () => {
    const root = brokenCopy((r) => {
      const budget = join(r, 'content/answers/budget.yaml');
      writeFileSync(budget, readFileSync(budget, 'utf8').replace(/\n  sq: .*\n/, '\n'));
      const mandate = join(r, 'content/answers/mandate.yaml');
      writeFileSync(mandate, readFileSync(mandate, 'utf8').replace(/follow_ups: \[.*\]/, 'follow_ups: [principles, no_such_intent]'));
      writeFileSync(join(r, 'intents/typo_intent.yaml'), readFileSync(join(r, 'intents/budget.yaml'), 'utf8').replace('intent: budget', 'intent: typo_intent'));
    });
    const result = loadKnowledge(root);
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map(formatProblem);
    expect(messages).toContainEqual('content/answers/budget.yaml › label.sq: missing');
    expect(messages.filter((m) => m.includes('unknown intent "budget"'))).toEqual([]);
    expect(messages).toContainEqual(expect.stringMatching(/^content\/answers\/mandate\.yaml › follow_ups: unknown intent "no_such_intent"$/));
    expect(messages).toContainEqual(expect.stringMatching(/^intents\/typo_intent\.yaml: unknown intent/));
    expect(messages).toContainEqual(expect.stringMatching(/duplicate phrase .* also in intents\/budget\.yaml/));
  });

  it('catches a Serbian Cyrillic phrase list left empty and a placeholder missing in one language', () => {
    const root = brokenCopy((r) => {
      const f = join(r, 'content/answers/jobs.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace(/(\n  sq: [\s\S]*?)\{contacts\}/, '$1'));
    });
    const result = loadKnowledge(root);
    const messages = result.ok ? [] : result.problems.map(formatProblem);
    expect(messages).toContainEqual(expect.stringContaining('content/answers/jobs.yaml › answer.sq: placeholders'));
  });

  it('keeps the assistant from starting, with the same message', () => {
    const root = brokenCopy((r) => writeFileSync(join(r, 'content/topics.yaml'), 'groups: [}'));
    expect(() => new Assistant(loadKnowledgeOrThrow(root))).toThrow(InvalidContentError);
    expect(() => loadKnowledgeOrThrow(root)).toThrow(/content\/topics\.yaml: not valid YAML/);
  });
});
