import type { Language, Locale } from '../core/locale.js';
import type { DialogueFileData, LanguageDataFileData } from './schema.js';

/** Text in all four locales (Serbian Cyrillic filled in by transliteration where the file leaves it out). */
export type Localized = Readonly<Record<Locale, string>>;

export type AnswerKind = 'knowledge' | 'noinfo' | 'problem';
export type PlaceCaseName = 'headquarters' | 'regional_centre' | 'other_place';

export interface PlaceCase {
  readonly text: Localized;
  readonly fallback: boolean;
  /** The text gives the Mission's contacts: channels may add the contact links. */
  readonly showsContacts: boolean;
}

export interface Answer {
  readonly intent: string;
  readonly kind: AnswerKind;
  readonly topic: string;
  readonly label: Localized;
  readonly source: readonly string[];
  /** The answer with `{contacts}` already expanded. */
  readonly text: Localized;
  readonly followUps: readonly string[];
  /** The text gives the Mission's contacts: channels may add the contact links. */
  readonly showsContacts: boolean;
  readonly byPlace: Readonly<Partial<Record<PlaceCaseName, PlaceCase>>>;
}

export interface IntentPhrases {
  readonly intent: string;
  readonly utterances: Readonly<Record<Locale, readonly string[]>>;
  /** Concept → `not_held` or another intent: what a question on this topic may ask that its answer does not hold. */
  readonly aspects: Readonly<Record<string, string>>;
  /** Concepts that make a message this intent whatever else it says. */
  readonly decisive: readonly string[];
  /** Concepts one of which a question must name to be this intent, and the intent it is otherwise. */
  readonly requires?: { readonly any: readonly string[]; readonly else: string };
}

export interface Place {
  readonly id: string;
  readonly kind: 'headquarters' | 'regional_centre' | 'municipality';
  readonly names: Readonly<{ sq: string; 'sr-Latn': string; 'sr-Cyrl': string }>;
  /** Ways people write it besides the official forms. */
  readonly spellings: readonly string[];
  /** Official forms that are also common words, so not matched on their own. */
  readonly not_alone: readonly string[];
  /** Both official forms, in the order each language puts them: "Pejë/Peć", "Peć/Pejë", "Пећ/Pejë". */
  readonly display: Localized;
}

/** A language people can ask to switch to; `sr` leaves the script to the person's own writing. */
export interface LanguageName {
  readonly id: Locale | 'sr';
  readonly spellings: readonly string[];
}

export interface TopicGroup {
  readonly id: string;
  readonly label: Localized;
  readonly intents: readonly string[];
}

export type DialogueKey = Exclude<keyof DialogueFileData, 'language_names' | 'contact_links' | 'telegram_commands'>;
export type TelegramCommand = keyof DialogueFileData['telegram_commands'];

export interface ContactLink {
  readonly label: Localized;
  readonly url: string;
}

export interface QuizQuestion {
  readonly id: string;
  readonly source: string;
  readonly question: Localized;
  readonly options: readonly Localized[];
  readonly correct: number;
  readonly explanation: Localized;
}

/**
 * A concept and its words (intents/lexicon/), as written (folded by the NLU), by the language whose messages they
 * are looked for in; `any`: slang, loanwords and neighbouring languages, looked for in every message.
 */
export interface Concept {
  readonly id: string;
  /** False when it says nothing of which topic is asked (how many, the past, a name). */
  readonly topic: boolean;
  /** Its words count only as the first words of a message. */
  readonly start: boolean;
  readonly words: Readonly<Partial<Record<Language | 'any', readonly string[]>>>;
}

/** A language's data (intents/languages/<id>.yaml), as its schema describes it (LanguageDataFile in schema.ts). */
export type LanguageData = { readonly [K in keyof LanguageDataFileData]: Readonly<LanguageDataFileData[K]> };

export interface KnowledgeBase {
  readonly answers: ReadonlyMap<string, Answer>;
  readonly intents: readonly IntentPhrases[];
  readonly places: readonly Place[];
  readonly languages: readonly LanguageName[];
  /** Names of other organisations and countries (intents/entities/elsewhere.yaml). */
  readonly elsewhere: readonly string[];
  /** Concepts across languages (intents/lexicon/). */
  readonly concepts: readonly Concept[];
  /** Per-language data (intents/languages/). */
  readonly languageData: readonly LanguageData[];
  readonly topics: readonly TopicGroup[];
  readonly dialogue: Readonly<Record<DialogueKey, Localized>>;
  readonly languageNames: Localized;
  readonly contactLinks: readonly ContactLink[];
  readonly telegramCommands: Readonly<Record<TelegramCommand, Localized>>;
  readonly quiz: readonly QuizQuestion[];
  /** Typed during a quiz, these end it (content/quiz.yaml `stop_words`). */
  readonly quizStopWords: readonly string[];
  /** Dialogue lines that give the Mission's contacts. */
  readonly linesWithContacts: ReadonlySet<DialogueKey>;
}

/** One thing wrong in content/ or intents/, said so that a content editor can fix it. */
export interface ContentProblem {
  readonly file: string;
  readonly entry?: string;
  readonly message: string;
}

export function formatProblem(p: ContentProblem): string {
  return `${p.file}${p.entry ? ` › ${p.entry}` : ''}: ${p.message}`;
}

/** Thrown when the assistant is asked to start on invalid content. */
export class InvalidContentError extends Error {
  constructor(readonly problems: readonly ContentProblem[]) {
    super(
      `The content is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); ` +
        `fix these and run \`npm run check-content\`:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'InvalidContentError';
  }
}
