/** Intents the dialogue handles itself, with their lines in content/dialogue.yaml rather than content/answers/. */
export const DIALOGUE_INTENTS = [
  'greeting',
  'thanks',
  'acknowledge',
  'goodbye',
  'help',
  'bot_identity',
  'topics_menu',
  'change_language',
  'quiz',
] as const;
export type DialogueIntent = (typeof DIALOGUE_INTENTS)[number];

/** Training examples of what the assistant must not answer: the classifier's "none" class. */
export const OUT_OF_SCOPE = 'out_of_scope';

export function isDialogueIntent(intent: string): intent is DialogueIntent {
  return (DIALOGUE_INTENTS as readonly string[]).includes(intent);
}
