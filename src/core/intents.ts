/** Intents the dialogue handles itself, with their lines in content/dialogue.yaml rather than content/answers/. */
export const DIALOGUE_INTENTS = [
  'greeting',
  'thanks',
  'acknowledge',
  'crisis',
  'goodbye',
  'help',
  'bot_identity',
  'topics_menu',
  'change_language',
  'quiz',
] as const;
export type DialogueIntent = (typeof DIALOGUE_INTENTS)[number];

/**
 * Messages answered with these are never kept for review, whatever the confidence: they are about a person's
 * health, and the answer is not something content editors improve from examples.
 */
export const NEVER_KEPT: ReadonlySet<string> = new Set(['crisis']);

/** Training examples of what the assistant must not answer: the classifier's "none" class. */
export const OUT_OF_SCOPE = 'out_of_scope';

export function isDialogueIntent(intent: string): intent is DialogueIntent {
  return (DIALOGUE_INTENTS as readonly string[]).includes(intent);
}
