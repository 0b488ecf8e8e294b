import { describe, expect, it } from 'vitest';
import { toCyrillic } from '../../src/knowledge/transliterate.js';

describe('toCyrillic', () => {
  it('maps letters and the digraphs lj, nj, dž, with capitals', () => {
    expect(toCyrillic('Ljudska prava, njihova džamija; LJUBAV, Njegoš, Džep')).toBe('Људска права, њихова џамија; ЉУБАВ, Његош, Џеп');
    expect(toCyrillic('Đakovica, ćirilica, čaša, šuma, žena')).toBe('Ђаковица, ћирилица, чаша, шума, жена');
  });

  it('keeps links, e-mails, handles, hashtags and placeholders in Latin', () => {
    expect(toCyrillic('Pišite na press.omik@osce.org ili www.osce.org/kosovo, @oscekosovo #UnitedCVE {contacts}')).toBe(
      'Пишите на press.omik@osce.org или www.osce.org/kosovo, @oscekosovo #UnitedCVE {contacts}',
    );
  });

  it('keeps the listed Latin names and foreign words', () => {
    expect(toCyrillic('Peć/Pejë i Priština/Prishtinë, Abdyl Frashëri 37, ext. 1118', ['Prishtinë', 'Abdyl Frashëri'])).toBe(
      'Пећ/Pejë и Приштина/Prishtinë, Abdyl Frashëri 37, ext. 1118',
    );
  });
});
