import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import type { Language } from '../core/locale.js';

/**
 * Stemmers work on folded tokens (no diacritics, Serbian in Latin). English uses natural's Porter stemmer.
 * natural has none for Albanian or Serbian, so both get a light suffix stripper: it removes the longest
 * inflectional ending from a fixed list (case, number, definiteness, common verb endings) while keeping
 * a stem of at least three letters. It conflates the forms people type (misioni, misionit, misionin →
 * mision; kancelarija, kancelariju, kancelarije → kancelar) without trying to be a linguistic analyser:
 * over-stemming a few words costs less than missing inflected forms on small training data.
 */
const ALBANIAN_SUFFIXES = [
  // nominalisations and their cases (themelimi, themelimit, themelimin)
  'imeve', 'imet', 'imit', 'imin', 'imi', 'ime',
  // plural and definite forms (gazetaret, gazetareve, zyrave, policise, komunitetet)
  'eve', 'ave', 'ise', 'ive', 'ete', 'ate', 'ash', 'esh', 'it', 'in', 'ut', 'un', 'et', 'at', 'es', 'se', 'te', 'ne', 'ja', 'ia', 'en', 'an',
  // verb endings (punojne, punon, quhet, themeluar); not -ni/-oni, which would cut misioni to misio
  'ojne', 'ojme', 'ohet', 'ohen', 'uar', 'ura', 'ur', 'on', 'oj', 'het', 'hen', 'im', 'ua',
  'a', 'e', 'i', 'u', 't', 'n', 's',
].sort((a, b) => b.length - a.length);

const SERBIAN_SUFFIXES = [
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
].sort((a, b) => b.length - a.length);

function stripper(suffixes: readonly string[], minStem = 3): (token: string) => string {
  return (token) => {
    if (token.length <= minStem || /\d/.test(token)) return token;
    for (const suffix of suffixes) {
      if (token.endsWith(suffix) && token.length - suffix.length >= minStem) return token.slice(0, -suffix.length);
    }
    return token;
  };
}

const stemAlbanian = stripper(ALBANIAN_SUFFIXES);
const stemSerbian = stripper(SERBIAN_SUFFIXES);
const stemEnglish = (token: string): string => PorterStemmer.stem(token);

// Words repeat a lot across phrases and questions: each language keeps the stems it has computed
// (bounded, so that a stream of made-up words cannot grow it without limit).
const MEMO_LIMIT = 50_000;
function memoized(stem: (token: string) => string): (token: string) => string {
  const memo = new Map<string, string>();
  return (token) => {
    let s = memo.get(token);
    if (s === undefined) {
      s = stem(token);
      if (memo.size < MEMO_LIMIT) memo.set(token, s);
    }
    return s;
  };
}

const STEMMERS: Record<Language, (token: string) => string> = {
  en: memoized(stemEnglish),
  sq: memoized(stemAlbanian),
  sr: memoized(stemSerbian),
};

export function stemmerFor(language: Language): (token: string) => string {
  return STEMMERS[language];
}
