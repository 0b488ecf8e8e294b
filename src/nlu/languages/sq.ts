import { memoized, suffixStripper, type LanguageModule } from './module.js';

const SUFFIXES = [
  // nominalisations and their cases (themelimi, themelimit, themelimin)
  'imeve', 'imet', 'imit', 'imin', 'imi', 'ime',
  // plural and definite forms (gazetaret, gazetareve, zyrave, policise, komunitetet)
  'eve', 'ave', 'ise', 'ive', 'ete', 'ate', 'ash', 'esh', 'it', 'in', 'ut', 'un', 'et', 'at', 'es', 'se', 'te', 'ne', 'ja', 'ia', 'en', 'an',
  // verb endings (punojne, punon, quhet, themeluar); not -ni/-oni, which would cut misioni to misio
  'ojne', 'ojme', 'ohet', 'ohen', 'uar', 'ura', 'ur', 'on', 'oj', 'het', 'hen', 'im', 'ua',
  'a', 'e', 'i', 'u', 't', 'n', 's',
];

/**
 * Albanian, standard and Gheg (as typed in Kosovo). Gheg participles drop the standard ending (ndihmu, ndihmue
 * for ndihmuar; punu for punuar), and Gheg keeps -n- where standard has -r- in
 * some words (emni for emri). Other Gheg words (asht, jom, nji, qysh) are in the data.
 */
export const albanian: LanguageModule = {
  id: 'sq',
  letters: /[ëç]/i,
  stem: memoized(suffixStripper(SUFFIXES)),
  variants(token) {
    const out: string[] = [];
    if (token.endsWith('ue')) out.push(`${token.slice(0, -2)}uar`);
    if (token.endsWith('u') && token.length > 3) out.push(`${token}ar`);
    if (/[aeiou]ni/.test(token)) out.push(token.replace(/([aeiou])ni/, '$1ri'));
    return out;
  },
};
