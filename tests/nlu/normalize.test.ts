import { describe, expect, it } from 'vitest';
import { clean, fold, hasWords, scriptOf } from '../../src/nlu/normalize.js';

describe('fold', () => {
  it('drops Albanian diacritics and case', () => {
    expect(fold('Ku është zyra në Pejë?')).toBe('ku eshte zyra ne peje');
    expect(fold('Çfarë bën OSBE-ja?')).toBe('cfare ben osbe ja');
  });

  it('drops Serbian diacritics and spells đ as dj', () => {
    expect(fold('Šta radi Misija u Peći? Đakovica, Uroševac, džamija')).toBe('sta radi misija u peci djakovica urosevac dzamija');
  });

  it('turns Serbian Cyrillic into the same Latin form', () => {
    expect(fold('Где је канцеларија у Пећи?')).toBe('gde je kancelarija u peci');
    expect(fold('Љубав, њива, џамија, Ђаковица')).toBe('ljubav njiva dzamija djakovica');
    expect(fold('Пећ')).toBe(fold('Peć'));
    expect(fold('Пећ')).toBe(fold('pec'));
  });

  it('folds English and typed-without-diacritics forms alike', () => {
    expect(fold("What's the OSCE's MANDATE??")).toBe('what the osce mandate');
    expect(fold('the Mission’s Twitter')).toBe('the mission twitter');
    expect(fold('prishtine')).toBe(fold('Prishtinë'));
    expect(fold('gnjilane')).toBe(fold('Гњилане'));
  });

  it("keeps Albanian elisions, where the apostrophe follows the letter (s'ka, t'ju)", () => {
    expect(fold("S'ka zyre? Si mund t'ju kontaktoj")).toBe('s ka zyre si mund t ju kontaktoj');
  });

  it('normalises compatibility forms and punctuation', () => {
    expect(fold('Ｐｒｉｓｈｔｉｎë')).toBe('prishtine');
    expect(fold('  hello...   world!!! ')).toBe('hello world');
    expect(fold('😀😀')).toBe('');
  });
});

describe('scriptOf', () => {
  it('tells Latin, Cyrillic and no letters apart', () => {
    expect(scriptOf('kancelarija')).toBe('Latn');
    expect(scriptOf('канцеларија OEBS')).toBe('Cyrl');
    expect(scriptOf('👍 ?')).toBe('none');
  });
});

describe('clean and hasWords', () => {
  it('removes markup tags and control characters', () => {
    expect(clean('<script>alert(1)</script> budget?')).toBe('alert(1) budget?');
    expect(clean('a\u0000b\u0007c')).toBe('a b c');
  });

  it('knows whether there are words at all', () => {
    expect(hasWords('🙂🙂🙂')).toBe(false);
    expect(hasWords('... ???')).toBe(false);
    expect(hasWords('ok')).toBe(true);
    expect(hasWords('ок')).toBe(true);
  });
});

describe('clean leaves out addresses', () => {
  it('drops e-mail addresses and links, which say nothing of the question', () => {
    expect(clean('write to ana.b@example.org or see https://x.example/a?b=1, thanks')).toBe('write to or see thanks');
    expect(clean('www.osce.org/kosovo is it yours?')).toBe('is it yours?');
  });
  it('keeps a lone @handle and text with @ that is no address', () => {
    expect(clean('@oscekosovo on x?')).toBe('@oscekosovo on x?');
    expect(clean('a@b')).toBe('a@b');
  });
});
