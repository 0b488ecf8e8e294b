import { describe, expect, it } from 'vitest';
import { fold } from '../../src/nlu/normalize.js';
import { PlaceFinder } from '../../src/nlu/places.js';
import { tokenize } from '../../src/nlu/tokenize.js';
import { knowledge } from '../support/engine.js';

describe('place names in every spelling', () => {
  const finder = new PlaceFinder(knowledge().places);
  const find = (text: string) => finder.find(tokenize(fold(text)), () => false).map((m) => m.place.id);

  const spellings: Record<string, string[]> = {
    prishtine: ['Prishtinë', 'prishtine', 'Prishtina', 'Priština', 'pristina', 'u Prištini', 'Приштина', 'у Приштини', 'ne prishtinen'],
    peje: ['Pejë', 'peje', 'Peja', 'në Pejë', 'Peć', 'pec', 'u Peći', 'Пећ', 'у Пећи'],
    gjilan: ['Gjilan', 'gjilani', 'Gnjilane', 'u Gnjilanu', 'Гњилане', 'у Гњилану'],
    mitrovice: ['Mitrovicë', 'mitrovica', 'Mitrovici', 'u Mitrovici', 'Митровица', 'у Митровици'],
    prizren: ['Prizren', 'prizreni', 'u Prizrenu', 'Призрен', 'у Призрену'],
  };
  for (const [id, forms] of Object.entries(spellings)) {
    it.each(forms)(`%s → ${id}`, (form) => expect(find(`zyra osbe ${form}`)).toEqual([id]));
  }

  it('reads typos of place names', () => {
    expect(find('office in prishitna')).toEqual(['prishtine']);
    expect(find('kancelarija u gnilanu')).toEqual(['gjilan']);
    expect(find('zyra ne mitrovca')).toEqual(['mitrovice']);
  });

  it('knows municipalities without a regional centre, in both languages', () => {
    expect(find('ferizaj')).toEqual(['ferizaj']);
    expect(find('urosevac')).toEqual(['ferizaj']);
    expect(find('Ђаковица')).toEqual(['gjakove']);
    expect(find('fushe kosove')).toEqual(['fushe_kosove']);
  });

  it('does not read ordinary words as towns', () => {
    expect(find('viti i themelimit')).toEqual([]);
    expect(finder.find(tokenize(fold('what is the mandate of the mission')), () => true)).toEqual([]);
  });
});
