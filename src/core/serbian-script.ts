/**
 * Serbian is written in two scripts with a one-to-one letter mapping (three Latin digraphs: lj, nj, dž).
 * Matching folds Cyrillic to Latin; answers are produced from Latin to Cyrillic (see knowledge/transliterate.ts).
 */
export const CYRILLIC_TO_LATIN: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'đ', е: 'e', ж: 'ž', з: 'z', и: 'i', ј: 'j', к: 'k', л: 'l',
  љ: 'lj', м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'ć', у: 'u', ф: 'f', х: 'h',
  ц: 'c', ч: 'č', џ: 'dž', ш: 'š',
  // Letters of neighbouring Cyrillic alphabets people type on Russian or Macedonian keyboards.
  й: 'j', ы: 'i', э: 'e', ю: 'ju', я: 'ja', ё: 'e', ќ: 'ć', ѓ: 'đ', ѕ: 'dz', щ: 'šč', ъ: '', ь: '', і: 'i', ї: 'ji', є: 'je',
};

export const LATIN_TO_CYRILLIC: Readonly<Record<string, string>> = {
  a: 'а', b: 'б', v: 'в', g: 'г', d: 'д', đ: 'ђ', e: 'е', ž: 'ж', z: 'з', i: 'и', j: 'ј', k: 'к', l: 'л',
  lj: 'љ', m: 'м', n: 'н', nj: 'њ', o: 'о', p: 'п', r: 'р', s: 'с', t: 'т', ć: 'ћ', u: 'у', f: 'ф', h: 'х',
  c: 'ц', č: 'ч', dž: 'џ', š: 'ш',
};
