import { WordTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';

const tokenizer = new WordTokenizer();

/** Tokens of already folded text (see normalize.ts): folding leaves only ASCII letters and digits to split. */
export function tokenize(folded: string): string[] {
  return folded ? tokenizer.tokenize(folded) : [];
}
