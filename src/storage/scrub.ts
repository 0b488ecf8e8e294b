/**
 * Removes what could identify a person from a question kept for review: e-mail addresses, links, phone numbers
 * and other long digit runs, @handles. Names cannot be told from words reliably and are left to retention.
 *
 * Callers pass bounded text (a few hundred characters): some patterns backtrack on very long runs.
 *
 * @example scrub('I am ana@x.org, call +383 44 123 456') === 'I am [e-mail], call [phone]'
 */
export function scrub(text: string): string {
  return text
    .replace(/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu, '[e-mail]')
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, '[link]')
    .replace(/(?<![\p{L}\p{N}])@[\p{L}\p{N}_]{3,}/gu, '[handle]')
    .replace(/\+?\d[\d\s().\/-]{6,}\d/g, (m) => (m.replace(/\D/g, '').length >= 7 ? '[phone]' : m))
    .replace(/\d{5,}/g, '[number]');
}
