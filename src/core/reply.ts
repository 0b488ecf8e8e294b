import type { Locale } from './locale.js';

/** What a channel hands to the engine: one message of one conversation. */
export interface Turn {
  /** Stable per conversation; lines with the same session form one conversation. */
  sessionId: string;
  /** What the person typed. May be empty when `payload` is given. */
  text: string;
  /** A language the person picked explicitly in an interface. Wins over detection. */
  lang?: Locale;
  /** The channel's guess (Telegram `language_code`, `Accept-Language`…), used when the text cannot tell. */
  langHint?: Locale;
  /** A pressed quick reply's payload (see QuickReply.payload), when the channel can send one. */
  payload?: string;
  /** Where the conversation came from (deep-link payload, page `source`), recorded on its first turn. */
  source?: string;
  /** The channel the message came through (web, telegram, botframework, cli…), for counting. */
  channel?: string;
  /**
   * The greeting a channel asks for when a conversation opens (a page loaded, Telegram's Start): answered like any
   * turn, but not something the person sent, so reports count the conversation, not a message.
   */
  opening?: boolean;
}

/**
 * A button offered with a reply. Channels that can only send text send `label` back; channels with
 * callback data send `payload` (short ASCII, well under Telegram's 64-byte limit).
 */
export interface QuickReply {
  label: string;
  payload: string;
}

/** One message of a reply, in light markdown: `**bold**`, lines starting with `- `, bare URLs and e-mails. */
export interface ReplyMessage {
  text: string;
}

export interface QuizPrompt {
  questionId: string;
  question: string;
  options: string[];
  correct: number;
  explanation: string;
  /** Payload that answers with option i: `answerPayload.replace('{i}', i)`. */
  answerPayload: string;
  /** The button that stops the quiz. */
  stop: QuickReply;
}

/** A link a channel may show as a button or card action (website, e-mail, phone). */
export interface ReplyLink {
  label: string;
  url: string;
}

/** The engine's channel-neutral answer to one turn. */
export interface Reply {
  /** Language and script of the reply. */
  lang: Locale;
  /** The intent answered, or null when the message was not understood. */
  intent: string | null;
  /** How sure the classifier was of `intent` (or of the best guess when it asked back), 0..1. */
  confidence: number;
  /** True when the reply does not answer from the knowledge base: not understood, or the fact is not held. */
  fallback: boolean;
  messages: ReplyMessage[];
  quickReplies: QuickReply[];
  /** The Mission's public contact links, when the reply gives its contacts. */
  links?: ReplyLink[];
  /**
   * A quiz question, for channels with native quizzes (Telegram polls): they show it instead of the last message,
   * which asks the same question as text for the others.
   */
  quiz?: QuizPrompt;
  /** 👍/👎 buttons for an answer people can rate; channels show them apart from the other buttons. */
  feedback?: [QuickReply, QuickReply];
  /** The place the answer is about, when it depends on one (entity id from intents/entities/places.yaml). */
  place?: string;
}
