import { RegexpTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';

// Folded text holds only ASCII letters and digits between single spaces, so tokens are matched runs of them.
// (natural's WordTokenizer splits on gaps and then filters with underscore: several times slower at start-up.)
const tokenizer = new RegexpTokenizer({ pattern: /[a-z0-9]+/g, gaps: false });

/** Tokens of already folded text (see normalize.ts). */
export function tokenize(folded: string): string[] {
  return folded ? (tokenizer.tokenize(folded) ?? []) : [];
}
