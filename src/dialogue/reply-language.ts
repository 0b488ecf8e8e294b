import { localeOf, type Locale } from '../core/locale.js';
import type { Understanding } from '../nlu/nlu.js';
import type { Session } from './session.js';

/**
 * The one place that decides the reply's language, in this order:
 * 1. a language the person picked in the interface for this message (`turn.lang`);
 * 2. a language the person chose earlier in the conversation (button, `lang`, "na shqip");
 * 3. the message's own language, when the text is clear enough to tell;
 * 4. the conversation's language (short messages like "ok", "and in Peja?" keep it);
 * 5. the channel's hint (Telegram `language_code`, `Accept-Language`, `activity.locale`);
 * 6. the best guess from the text, however weak;
 * 7. English.
 * Serbian follows the script the person writes in.
 */
/** A message of fewer words is too short to move a conversation to another language by its words alone. */
const SHORT = 4;

export function replyLanguage(
  explicit: Locale | undefined,
  session: Session,
  understanding: Understanding | undefined,
  hint: Locale | undefined,
): Locale {
  if (explicit) return explicit;
  if (session.chosen) return session.chosen;
  const guess = understanding?.language;
  // Cyrillic text is always detected as sure Serbian, so a Serbian guess on Latin text means Latin script.
  const fromGuess = (): Locale => localeOf(guess!.language, understanding?.script === 'Cyrl');
  // A few words ("po data?") rarely tell a language for sure: the conversation's holds unless letters only one
  // language writes, or the script, say otherwise.
  const decisive = guess?.probability === 1 || (understanding?.tokens.length ?? 0) >= SHORT;
  if (guess?.sure && (decisive || !session.lang)) return fromGuess();
  if (session.lang) return session.lang;
  if (hint) return hint;
  if (guess && guess.probability > 0.5) return fromGuess();
  return 'en';
}
