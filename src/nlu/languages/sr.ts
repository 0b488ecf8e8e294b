import { memoized, suffixStripper, type LanguageModule } from './module.js';

const SUFFIXES = [
  // -ija nouns (misija, policija, kancelarija) and adjectives in -ski (ljudska, ljudskih)
  'ijama', 'ijom', 'ije', 'iji', 'iju', 'ija',
  'skoga', 'skog', 'skom', 'skih', 'skim', 'ska', 'ske', 'ski', 'sko', 'sku',
  // abstract nouns (bezbednost, bezbednosti, ravnopravnosti)
  'ostima', 'osti', 'ost',
  // verbal nouns (osnivanje, osnivanja)
  'anjem', 'anja', 'anje', 'anju', 'enja', 'enje', 'enju',
  // verb forms (radite, pomazete, dobijam, rade, osnovana)
  'ujemo', 'ujete', 'ujem', 'uju', 'uje', 'amo', 'ate', 'aju', 'imo', 'ite', 'emo', 'ete', 'ati', 'iti', 'eti',
  'ali', 'ila', 'ilo', 'ili', 'ala', 'alo', 'ana', 'ano', 'ani', 'ena', 'eno', 'eni',
  // noun and adjective cases (novinarima, kuce, opstini, bezbednosti, mladih, ovog)
  'ama', 'ima', 'ovi', 'ove', 'eve', 'oga', 'ome', 'emu', 'omu', 'ih', 'im', 'og', 'om', 'em', 'oj', 'ju', 'ao', 'ti',
  'am', 'as', 'a', 'e', 'i', 'o', 'u',
];

// The Ijekavian reflex of jat after a consonant: mjesto, vrijeme, djeca (Ekavian mesto, vreme, deca).
const JAT = /([bcdfghklmnprstvz])i?je/g;

/**
 * Serbian in both scripts (folded to Latin), with Bosnian, Croatian and Montenegrin: one matcher, since the
 * words are mostly shared. Ijekavian forms are tried as Ekavian (sjever → sever, cijeli → celi, gdje → gde,
 * vrijeme → vreme); other words of the varieties (tko, općina, sigurnost…) are in the data.
 */
export const serbian: LanguageModule = {
  id: 'sr',
  letters: /[čćšžđ]/i,
  stem: memoized(suffixStripper(SUFFIXES)),
  variants(token) {
    const out: string[] = [];
    const ekavian = token.replace(JAT, '$1e');
    if (ekavian !== token) out.push(ekavian);
    // Croatian and Bosnian infinitives and nouns: "organizirati" → "organizovati", "-cija" stays.
    if (token.includes('izir')) out.push(token.replace('izir', 'izov'));
    if (token.startsWith('h') && token.length > 4) out.push(token.slice(1));
    return out;
  },
};
