import { z } from 'zod';

/** Text in every language; Serbian Cyrillic may be left out and is then transliterated from Serbian Latin. */
export const LocalizedText = z.strictObject({
  en: z.string().trim().min(1, 'English text is empty'),
  sq: z.string().trim().min(1, 'Albanian text is empty'),
  'sr-Latn': z.string().trim().min(1, 'Serbian Latin text is empty'),
  'sr-Cyrl': z.string().trim().min(1, 'Serbian Cyrillic text is empty').optional(),
});

// Ids travel in button payloads (Telegram allows 64 bytes: "r:1:" + id must fit).
const IntentId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower case letters, digits and _ only').max(40, 'at most 40 characters');

export const PlaceCase = z.strictObject({
  answer: LocalizedText,
  fallback: z.boolean().default(false),
});

export const AnswerFile = z.strictObject({
  intent: IntentId,
  kind: z.enum(['knowledge', 'noinfo', 'problem']),
  topic: z.string(),
  label: LocalizedText,
  source: z.array(z.string().trim().min(1)),
  answer: LocalizedText,
  follow_ups: z.array(IntentId).max(3, 'offer at most 3 follow-ups').default([]),
  /** Channels show the contact links with this answer (automatic for answers that use {contacts}). */
  contact_card: z.boolean().default(false),
  by_place: z
    .strictObject({
      headquarters: PlaceCase.optional(),
      regional_centre: PlaceCase.optional(),
      other_place: PlaceCase.optional(),
    })
    .optional(),
});

const Phrases = (language: string) =>
  z.array(z.string().trim().min(1)).min(12, `${language}: write at least 12 training phrases`);

export const IntentFile = z.strictObject({
  intent: IntentId,
  /**
   * What a question on this topic may ask that the answer does not hold, by concept of the lexicon
   * (intents/lexicon/): `not_held` declines with the contacts ("who headed the Mission before?"), an intent id
   * answers with that intent instead ("the phone of the office in Peja" → contact).
   */
  aspects: z.record(IntentId, z.union([z.literal('not_held'), IntentId])).default({}),
  /** A message holding one of these concepts is this intent, whatever else it says (out_of_scope: "translate…"). */
  decisive: z.array(IntentId).default([]),
  /**
   * A question is this intent only when it names one of these concepts; otherwise it is the `else` intent
   * (contact: "is there an office of yours in Prizren?" names no phone, e-mail or address, so it asks about offices).
   */
  requires: z.strictObject({ any: z.array(IntentId).min(1), else: IntentId }).optional(),
  utterances: z.strictObject({
    en: Phrases('en'),
    sq: Phrases('sq'),
    'sr-Latn': Phrases('sr-Latn'),
    'sr-Cyrl': Phrases('sr-Cyrl'),
  }),
});

/** Text in every language, each at most `max` characters (Telegram's poll limits). */
const Bounded = (max: number) =>
  LocalizedText.superRefine((t, ctx) => {
    for (const [locale, text] of Object.entries(t))
      if (text && text.length > max) ctx.addIssue({ code: 'custom', path: [locale], message: `at most ${max} characters (Telegram's limit), this is ${text.length}` });
  });

export const QuizFile = z.strictObject({
  /** Typed during a round, any of these (compared folded, so Cyrillic "стоп" is "stop") ends it. */
  stop_words: z.array(z.string().trim().min(1)).min(1, 'list at least one word that stops the quiz'),
  questions: z
    .array(
      z
        .strictObject({
          id: IntentId,
          /** The passage of the source the question rests on, word for word. */
          source: z.string().trim().min(1),
          question: Bounded(250),
          options: z.array(Bounded(100)).min(3).max(4),
          /** Index of the right option (0 for the first). */
          correct: z.number().int().min(0),
          explanation: Bounded(200),
        })
        .refine((q) => q.correct < q.options.length, { message: 'correct must be the index of one of the options', path: ['correct'] }),
    )
    .min(15, 'write at least 15 questions'),
});

export const PlacesFile = z.strictObject({
  entity: z.literal('place'),
  values: z
    .array(
      z.strictObject({
        id: IntentId,
        kind: z.enum(['headquarters', 'regional_centre', 'municipality']),
        names: z.strictObject({ sq: z.string(), 'sr-Latn': z.string(), 'sr-Cyrl': z.string() }),
        spellings: z.array(z.string().trim().min(2)).default([]),
        /** Official forms that are also common words: not matched on their own. */
        not_alone: z.array(z.string()).default([]),
      }),
    )
    .min(1),
});

export const LanguagesFile = z.strictObject({
  entity: z.literal('language'),
  values: z.array(
    z.strictObject({ id: z.enum(['en', 'sq', 'sr', 'sr-Latn', 'sr-Cyrl']), spellings: z.array(z.string().min(2)).min(1) }),
  ),
});

export const ElsewhereFile = z.strictObject({
  entity: z.literal('elsewhere'),
  values: z.array(z.strictObject({ id: IntentId, spellings: z.array(z.string().min(2)).min(1) })),
});

export const TopicsFile = z.strictObject({
  groups: z.array(z.strictObject({ id: IntentId, label: LocalizedText })).min(1),
});

export const GlossaryFile = z.strictObject({
  terms: z.array(
    z.strictObject({
      en: z.string(),
      sq: z.string(),
      'sr-Latn': z.string(),
      'sr-Cyrl': z.string().optional(),
    }),
  ),
  keep_latin: z.array(z.string().min(1)),
});

/**
 * A word as data: letters of any of our scripts, `*` ending a word for "and any ending" (`polic*`), several words
 * for a phrase (`zone mbrojt*`). Numbers may be written bare.
 */
const Word = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z
    .string()
    .trim()
    .min(1)
    .regex(/^[^*\s]+\*?( [^*\s]+\*?)*$/, 'a `*` may only end a word (`polic*` stands for police, policia, policajac…)')
    .refine((w) => w.split(' ').every((p) => !p.endsWith('*') || p.replace(/[^\p{L}]/gu, '').length >= 3), 'write at least three letters before `*`'),
);

/** What is particular to one language besides its code module (src/nlu/languages/<id>.ts). */
export const LanguageDataFile = z.strictObject({
  language: z.enum(['en', 'sq', 'sr']),
  /** Words of a dialect or variety → the word the training phrases use (Gheg "asht" → "eshte", "tko" → "ko"). */
  variants: z.record(z.string().regex(/^\S+$/, 'one word'), z.string().regex(/^\S+$/, 'one word')).default({}),
  /** Words that tell this language among ours, in every variety (trained into detection with the phrases). */
  cues: z.array(Word).default([]),
  /** A person speaking of themselves or their family (I, my, we, our): a message telling their own situation. */
  self: z.array(Word).default([]),
  /** Words addressing the assistant or the Mission (you, your): a question to the Mission, not about another body. */
  you: z.array(Word).default([]),
  /** Courtesy that carries no topic (thanks, please, hello): a question with thanks attached is still a question. */
  courtesy: z.array(Word).default([]),
  /** Words before a place that say where the person is from, not what they ask about ("from", "iz", "prej"). */
  origin: z.array(Word).default([]),
  /** Words that point back to the last answer (they, there, that one): a follow-up without a topic word. */
  anaphora: z.array(Word).default([]),
  /** Words that ask the assistant to do something (please, write, repeat): with a language named, use that language. */
  request: z.array(Word).default([]),
  /** Words that open a follow-up ("and in the north?", "a u Peći?"): counted only as the message's first words. */
  continuation: z.array(Word).default([]),
  /** Words that point to a place named before ("there", "tamo", "atje"): that place is the one asked about. */
  there: z.array(Word).default([]),
  /** Words that deny what follows ("doesn't speak Albanian", "ne govori srpski"): that language is not the one wanted. */
  negation: z.array(Word).default([]),
});

/**
 * The varieties a concept's words are listed under (what people write, not only the standard), and the language
 * whose messages they are looked for in: `any` for slang, loanwords and neighbouring languages, which people mix
 * into all of ours.
 */
export const VARIETIES = {
  en: 'en',
  sq: 'sq',
  'sq-gheg': 'sq',
  sr: 'sr',
  'sr-ijekavian': 'sr',
  bs: 'sr',
  hr: 'sr',
  cnr: 'sr',
  slang: 'any',
  de: 'any',
  tr: 'any',
  mk: 'any',
  ru: 'any',
  it: 'any',
  fr: 'any',
} as const;
export type Variety = keyof typeof VARIETIES;

/** Concepts across languages: each lists its words in every language and variety people write in. */
export const LexiconFile = z.strictObject({
  concepts: z
    .array(
      z.strictObject({
        id: IntentId,
        /** What the concept means, in a few English words, for whoever edits it. */
        gloss: z.string().trim().min(1),
        /**
         * false for concepts that say nothing of which topic is asked (how many, the past, a name, the Mission
         * itself): a short follow-up with only these ("koliko ih je?") continues the last topic.
         */
        topic: z.boolean().default(true),
        /** true for words that count only as the first words of a message (an order: "translate…", "napiši…"). */
        start: z.boolean().default(false),
        words: z.partialRecord(z.enum(Object.keys(VARIETIES) as [Variety, ...Variety[]]), z.array(Word).min(1)),
      }),
    )
    .min(1),
});

/** The assistant's own lines. Every key is required in every language. */
export const DialogueFile = z.strictObject({
  assistant_name: LocalizedText,
  contacts: LocalizedText,
  greeting: LocalizedText,
  help: LocalizedText,
  bot_identity: LocalizedText,
  thanks: LocalizedText,
  acknowledge: LocalizedText,
  crisis: LocalizedText,
  goodbye: LocalizedText,
  topics_intro: LocalizedText,
  group_intro: LocalizedText,
  clarify: LocalizedText,
  not_understood: LocalizedText,
  elsewhere: LocalizedText,
  not_held: LocalizedText,
  reach_us: LocalizedText,
  error: LocalizedText,
  slow_down: LocalizedText,
  thanks_rating: LocalizedText,
  rating_not_counted: LocalizedText,
  rating_failed: LocalizedText,
  quiz_intro: LocalizedText,
  quiz_question: LocalizedText,
  quiz_correct: LocalizedText,
  quiz_wrong: LocalizedText,
  quiz_score: LocalizedText,
  quiz_stopped: LocalizedText,
  quiz_button: LocalizedText,
  quiz_stop_button: LocalizedText,
  quiz_again_button: LocalizedText,
  poster_title: LocalizedText,
  poster_text: LocalizedText,
  poster_scan_telegram: LocalizedText,
  poster_scan_web: LocalizedText,
  poster_web_code: LocalizedText,
  no_text: LocalizedText,
  empty: LocalizedText,
  too_long: LocalizedText,
  language_choose: LocalizedText,
  language_switched: LocalizedText,
  menu_button: LocalizedText,
  contact_button: LocalizedText,
  language_names: z.strictObject({ en: z.string(), sq: z.string(), 'sr-Latn': z.string(), 'sr-Cyrl': z.string() }),
  /** Descriptions of the Telegram commands, shown in Telegram's command menu in each language. */
  telegram_commands: z.strictObject({
    help: LocalizedText,
    topics: LocalizedText,
    language: LocalizedText,
    contact: LocalizedText,
    offices: LocalizedText,
    quiz: LocalizedText,
  }),
  /** The Mission's public links, shown as buttons with replies that give its contacts. */
  contact_links: z.array(z.strictObject({ label: LocalizedText, url: z.url({ protocol: /^(https|mailto|tel)$/ }) })).min(1),
});

export type LocalizedTextInput = z.infer<typeof LocalizedText>;
export type QuizFileData = z.infer<typeof QuizFile>;
export type AnswerFileData = z.infer<typeof AnswerFile>;
export type IntentFileData = z.infer<typeof IntentFile>;
export type PlacesFileData = z.infer<typeof PlacesFile>;
export type TopicsFileData = z.infer<typeof TopicsFile>;
export type GlossaryFileData = z.infer<typeof GlossaryFile>;
export type DialogueFileData = z.infer<typeof DialogueFile>;
export type LanguageDataFileData = z.infer<typeof LanguageDataFile>;
export type LexiconFileData = z.infer<typeof LexiconFile>;
