/**
 * Serbian is written in two scripts with a one-to-one letter mapping (three Latin digraphs: lj, nj, dž).
 * Matching folds Cyrillic to Latin; answers are produced from Latin to Cyrillic (see knowledge/transliterate.ts).
 */
const SERBIAN: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'đ', е: 'e', ж: 'ž', з: 'z', и: 'i', ј: 'j', к: 'k', л: 'l',
  љ: 'lj', м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'ć', у: 'u', ф: 'f', х: 'h',
  ц: 'c', ч: 'č', џ: 'dž', ш: 'š',
};

export const CYRILLIC_TO_LATIN: Readonly<Record<string, string>> = {
  ...SERBIAN,
  // Letters of neighbouring Cyrillic alphabets people type on Russian or Macedonian keyboards.
  й: 'j', ы: 'i', э: 'e', ю: 'ju', я: 'ja', ё: 'e', ќ: 'ć', ѓ: 'đ', ѕ: 'dz', щ: 'šč', ъ: '', ь: '', і: 'i', ї: 'ji', є: 'je',
};

export const LATIN_TO_CYRILLIC: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SERBIAN).map(([cyrillic, latin]) => [latin, cyrillic]));
