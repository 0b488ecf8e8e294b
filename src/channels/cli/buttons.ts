import type { QuickReply } from '../../core/reply.js';
import { fold } from '../../nlu/normalize.js';

/**
 * The button a line typed in the terminal presses: one whose label it is first ("5" is the quiz option "5", not the
 * fifth button), else the button of that number; none when the line is a question of its own.
 */
export function buttonTyped(buttons: readonly QuickReply[], text: string): QuickReply | undefined {
  const typed = fold(text);
  return buttons.find((b) => fold(b.label) === typed) ?? (/^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined);
}
