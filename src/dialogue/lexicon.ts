import { LOCALES, type Locale } from '../core/locale.js';
import type { KnowledgeBase } from '../knowledge/types.js';
import { fold } from '../nlu/normalize.js';
import { PhraseIndex } from '../nlu/phrases.js';

/** What a button label (typed or tapped) or payload stands for. */
export type Action =
  | { type: 'intent'; intent: string }
  | { type: 'group'; group: string }
  | { type: 'language'; lang: Locale | 'sr' }
  | { type: 'menu' }
  /** The quiz: start a round, stop it, or answer a question with option `option` (0-based). */
  | { type: 'quiz'; op: 'start' | 'stop' }
  | { type: 'quiz'; op: 'answer'; questionId: string; option: number }
  /** A 👍 (1) or 👎 (-1) on the answer to an intent. */
  | { type: 'rating'; rating: 1 | -1; intent: string }
  /** One of the assistant's lines a channel asks for: no_text (a sticker, photo, voice message), slow_down (a burst). */
  | { type: 'line'; key: ChannelLine };

/** What an action asks the assistant to say, as opposed to a rating, which asks it to record something. */
export type Request = Exclude<Action, { type: 'rating' }>;

/** The lines a channel may ask for by payload. */
export const CHANNEL_LINES = ['no_text', 'slow_down'] as const;
export type ChannelLine = (typeof CHANNEL_LINES)[number];

/** Payloads are short ASCII strings, well within Telegram's 64-byte callback data. */
export function payloadOf(action: Action): string {
  switch (action.type) {
    case 'intent':
      return `i:${action.intent}`;
    case 'group':
      return `g:${action.group}`;
    case 'language':
      return `l:${action.lang}`;
    case 'menu':
      return 'm';
    case 'line':
      return `x:${action.key}`;
    case 'rating':
      return `r:${action.rating === 1 ? 1 : 0}:${action.intent}`;
    case 'quiz':
      return action.op === 'answer' ? quizAnswer(action.questionId, String(action.option)) : `q:${action.op}`;
  }
}

const quizAnswer = (questionId: string, option: string) => `q:a:${questionId}:${option}`;

/**
 * The payload of an answer to quiz question `questionId` with `{i}` where the option goes, for a channel that
 * learns the option later (a Telegram quiz poll's answer): `template.replace('{i}', String(option))` is then
 * `payloadOf({ type: 'quiz', op: 'answer', questionId, option })`.
 */
export function quizAnswerTemplate(questionId: string): string {
  return quizAnswer(questionId, '{i}');
}

export function parsePayload(payload: string): Action | undefined {
  const [kind, value = ''] = payload.split(':', 2);
  if (kind === 'q') {
    const [, op, questionId, option] = payload.split(':');
    if (op === 'start' || op === 'stop') return { type: 'quiz', op };
    if (op === 'a' && questionId && /^[a-z][a-z0-9_]*$/.test(questionId) && /^[0-3]$/.test(option ?? ''))
      return { type: 'quiz', op: 'answer', questionId, option: Number(option) };
    return undefined;
  }
  if (kind === 'r') {
    const [, up, intent] = payload.split(':');
    if ((up === '1' || up === '0') && intent && /^[a-z][a-z0-9_]*$/.test(intent)) return { type: 'rating', rating: up === '1' ? 1 : -1, intent };
    return undefined;
  }
  if (kind === 'm') return { type: 'menu' };
  if (kind === 'x' && (CHANNEL_LINES as readonly string[]).includes(value)) return { type: 'line', key: value as ChannelLine };
  if (kind === 'i' && value) return { type: 'intent', intent: value };
  if (kind === 'g' && value) return { type: 'group', group: value };
  if (kind === 'l' && (value === 'sr' || (LOCALES as readonly string[]).includes(value))) return { type: 'language', lang: value as Locale | 'sr' };
  return undefined;
}

/**
 * Exact lookups on folded text: every button label in every language (so typing "Mandati" or tapping it is
 * the same), and the names of languages and scripts for switching (language buttons are those names:
 * "Srpski" and "Српски" both read as Serbian, and the script they are written in picks the script).
 */
export class Lexicon {
  private readonly labels = new Map<string, { action: Request; locale: Locale }>();
  private readonly languages: PhraseIndex<Locale | 'sr'>;

  constructor(kb: KnowledgeBase) {
    for (const locale of LOCALES) {
      const add = (label: string, action: Request) => {
        const key = fold(label);
        if (key && !this.labels.has(key)) this.labels.set(key, { action, locale });
      };
      for (const a of kb.answers.values()) add(a.label[locale], { type: 'intent', intent: a.intent });
      for (const g of kb.topics) add(g.label[locale], { type: 'group', group: g.id });
      add(kb.dialogue.menu_button[locale], { type: 'menu' });
      add(kb.dialogue.contact_button[locale], { type: 'intent', intent: 'contact' });
    }
    this.languages = new PhraseIndex(kb.languages.flatMap(({ id, spellings }) => spellings.map((s) => [s, id] as const)));
  }

  /** The action of a label, when the whole message is one. */
  label(folded: string): { action: Request; locale: Locale } | undefined {
    return this.labels.get(folded);
  }

  /** A language or script named in the message ("na shqip" → sq), longest phrase first, with where it stands. */
  languageIn(tokens: readonly string[]): { value: Locale | 'sr'; start: number; end: number } | undefined {
    return this.languages.findSpan(tokens);
  }

  /** Every language or script named in the message, in the order written. */
  languagesIn(tokens: readonly string[]): { value: Locale | 'sr'; start: number; end: number }[] {
    return this.languages.findAll(tokens);
  }
}
