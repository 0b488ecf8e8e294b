/**
 * Text a person typed, made safe to print on a terminal or show on a page: terminal escape sequences removed
 * whole (CSI such as `ESC[2J`, and OSC, DCS, APC, PM and SOS strings such as `ESC]0;title BEL`, in their 7- and
 * 8-bit forms), line breaks turned into spaces, and every other control, format (bidi overrides such as U+202E,
 * isolates, zero-width characters) and lone surrogate character removed. What is left cannot move the cursor,
 * clear a screen, set a window title, start a new report line or reorder the text around it.
 *
 * Node's `util.stripVTControlCharacters` is not enough: it leaves an OSC string's text when it holds a space
 * (`ESC]0;my title BEL` becomes `ay title BEL`), and it knows nothing of bidi controls.
 *
 * @example printable('hi\x1b]0;pwned\x07\x1b[2J\r\u202Eevil') === 'hi evil'
 */
export function printable(text: string): string {
  return text.replace(STRINGS, '').replace(SEQUENCES, '').replace(BREAKS, ' ').replace(INVISIBLE, '');
}

// A control string runs to its terminator (BEL, ESC \ or the 8-bit ST); an unterminated one to the end, as a
// terminal would swallow it.
const STRINGS = /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?/g;
// CSI (ESC [ or 8-bit 0x9B) with its parameters and final byte; then any other escape (ESC 7, ESC ( B, ESC c…).
const SEQUENCES = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b[ -/]*[0-~]?/g;
const BREAKS = /[\t\n\v\f\r\x85\u2028\u2029]+/g;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
