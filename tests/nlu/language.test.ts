import { describe, expect, it } from 'vitest';
import { assistant } from '../support/engine.js';

describe('language and script of each message', () => {
  const nlu = assistant().nlu;
  const cases: [string, 'en' | 'sq' | 'sr'][] = [
    ['where is your office in peja', 'en'],
    ['who leads the mission', 'en'],
    ['ku e keni zyren ne peje', 'sq'],
    ['cili eshte buxheti i misionit', 'sq'],
    ['Çfarë bën OSBE për të rinjtë?', 'sq'],
    ['gde je vasa kancelarija u peci', 'sr'],
    ['koliki je budzet misije', 'sr'],
    ['Šta radi OEBS za mlade?', 'sr'],
    ['где је ваша канцеларија у Пећи', 'sr'],
  ];
  it.each(cases)('%s → %s', (text, language) => {
    const u = nlu.understand(text);
    expect(u.language.language).toBe(language);
    expect(u.language.sure).toBe(true);
  });

  it('knows the script', () => {
    expect(nlu.understand('где је канцеларија').script).toBe('Cyrl');
    expect(nlu.understand('gde je kancelarija').script).toBe('Latn');
  });

  it('is not sure of one short word, so the conversation decides', () => {
    expect(nlu.understand('ok').language.sure).toBe(false);
    expect(nlu.understand('Prizren?').language.sure).toBe(false);
  });

  it('answers in the script the person writes, with the same facts', () => {
    const bot = assistant();
    const latin = bot.respond({ sessionId: 'a', text: 'ko je sef misije' });
    const cyrillic = bot.respond({ sessionId: 'b', text: 'ко је шеф мисије' });
    expect([latin.lang, cyrillic.lang]).toEqual(['sr-Latn', 'sr-Cyrl']);
    expect(latin.intent).toBe(cyrillic.intent);
    expect(cyrillic.messages[0]!.text).toMatch(/[\u0400-\u04FF]/);
  });
});
