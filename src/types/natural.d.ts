// natural's root module pulls in database back-ends (and dotenv, which prints to stdout on import),
// so we import the few parts we use by path; these declarations type those paths.
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}
declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export class RegexpTokenizer {
    constructor(options: { pattern: RegExp; gaps?: boolean });
    /** With `gaps: false`, the matches of the pattern, or null when there are none. */
    tokenize(text: string): string[] | null;
  }
}
declare module 'natural/lib/natural/distance/levenshtein_distance.js' {
  export function DamerauLevenshteinDistance(
    a: string,
    b: string,
    options?: { restricted?: boolean; insertion_cost?: number; deletion_cost?: number; substitution_cost?: number; transposition_cost?: number },
  ): number;
}
