import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { memoized, type LanguageModule } from './module.js';

/** English: natural's Porter stemmer; British and American spellings are one word (organisation, organization). */
export const english: LanguageModule = {
  id: 'en',
  stem: memoized((token) => PorterStemmer.stem(token)),
  variants(token) {
    const out: string[] = [];
    if (/is(e|ed|es|ing|ation|ations)$/.test(token)) out.push(token.replace(/is(e|ed|es|ing|ation|ations)$/, 'iz$1'));
    if (/iz(e|ed|es|ing|ation|ations)$/.test(token)) out.push(token.replace(/iz(e|ed|es|ing|ation|ations)$/, 'is$1'));
    if (/our(s|ed)?$/.test(token)) out.push(token.replace(/our(s|ed)?$/, 'or$1'));
    if (/tre(s)?$/.test(token)) out.push(token.replace(/tre(s)?$/, 'ter$1'));
    if (/ence$/.test(token)) out.push(token.replace(/ence$/, 'ense'));
    return out;
  },
};
