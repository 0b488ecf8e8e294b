import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALES, languageOf, type Language, type Locale } from '../core/locale.js';
import { DIALOGUE_INTENTS, OUT_OF_SCOPE, isDialogueIntent } from '../core/intents.js';
import { readYaml, yamlFiles } from './read.js';
import {
  AnswerFile,
  DialogueFile,
  GlossaryFile,
  ElsewhereFile,
  IntentFile,
  LanguageDataFile,
  LanguagesFile,
  LexiconFile,
  PlacesFile,
  QuizFile,
  TopicsFile,
  VARIETIES,
  type Variety,
  type AnswerFileData,
  type LocalizedTextInput,
} from './schema.js';
import { toCyrillic } from './transliterate.js';
import { checkText, checkPhrases } from './checks.js';
import {
  InvalidContentError,
  type Answer,
  type ContentProblem,
  type DialogueKey,
  type Concept,
  type IntentPhrases,
  type LanguageData,
  type KnowledgeBase,
  type Localized,
  type Place,
  type PlaceCase,
  type PlaceCaseName,
  type TelegramCommand,
} from './types.js';

/** The project's root folder, where content/ and intents/ live. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type LoadResult = { ok: true; kb: KnowledgeBase } | { ok: false; problems: ContentProblem[] };

/**
 * Reads content/ and intents/, checks everything (schema, cross-references, duplicates, placeholders,
 * source passages, neutral wording), and returns a frozen knowledge base or the full list of problems.
 */
export function loadKnowledge(root: string = PROJECT_ROOT): LoadResult {
  const problems: ContentProblem[] = [];
  const at = (...p: string[]) => join(root, ...p);

  const glossary = readYaml(root, at('content/glossary.yaml'), GlossaryFile, problems);
  const keepLatinBase = glossary?.keep_latin ?? [];
  const placesFile = readYaml(root, at('intents/entities/places.yaml'), PlacesFile, problems);
  // Albanian forms of place names stay Latin in Cyrillic text; names the same in both languages (Prizren) do not.
  const albanianForms = (placesFile?.values ?? []).filter((v) => v.names.sq !== v.names['sr-Latn']).map((v) => v.names.sq);
  const keepLatin = [...keepLatinBase, ...albanianForms];
  const localize = (t: LocalizedTextInput): Localized =>
    Object.freeze({ ...t, 'sr-Cyrl': t['sr-Cyrl'] ?? toCyrillic(t['sr-Latn'], keepLatin) });

  const elsewhereFile = readYaml(root, at('intents/entities/elsewhere.yaml'), ElsewhereFile, problems);
  const languagesFile = readYaml(root, at('intents/entities/languages.yaml'), LanguagesFile, problems);
  const dialogueFile = readYaml(root, at('content/dialogue.yaml'), DialogueFile, problems);
  const topicsFile = readYaml(root, at('content/topics.yaml'), TopicsFile, problems);
  const sourcePath = at('content/source/osce-mission-in-kosovo.md');
  const source = existsSync(sourcePath) ? flatten(readFileSync(sourcePath, 'utf8')) : '';
  if (!source) problems.push({ file: 'content/source/osce-mission-in-kosovo.md', message: 'missing: the fact sheet answers are checked against' });

  const places = (placesFile?.values ?? []).map(
    (v): Place => ({
      ...v,
      display: Object.freeze({
        en: both(v.names.sq, v.names['sr-Latn']),
        sq: both(v.names.sq, v.names['sr-Latn']),
        'sr-Latn': both(v.names['sr-Latn'], v.names.sq),
        'sr-Cyrl': both(v.names['sr-Cyrl'], v.names.sq === v.names['sr-Latn'] ? '' : v.names.sq),
      }),
    }),
  );

  // Dialogue lines: placeholders each key may use.
  const dialogue = {} as Record<DialogueKey, Localized>;
  const linesWithContacts = new Set<DialogueKey>();
  if (dialogueFile) {
    const { language_names: _names, contact_links: _links, telegram_commands: _commands, ...lines } = dialogueFile;
    for (const [key, text] of Object.entries(lines) as [DialogueKey, LocalizedTextInput][]) {
      const loc = localize(text);
      checkText('content/dialogue.yaml', key, loc, DIALOGUE_PLACEHOLDERS[key] ?? ['contacts'], places, problems);
      dialogue[key] = loc;
      if (loc.en.includes('{contacts}')) linesWithContacts.add(key);
    }
  }
  const contacts = dialogue.contacts;
  const expand = (t: Localized): Localized =>
    contacts ? Object.freeze(mapLocales((l) => t[l].replaceAll('{contacts}', contacts[l]))) : t;
  for (const key of Object.keys(dialogue) as DialogueKey[]) dialogue[key] = expand(dialogue[key]);

  // Answers.
  const answers = new Map<string, Answer>();
  const answerFiles = new Map<string, AnswerFileData>();
  for (const file of yamlFiles(at('content/answers'))) {
    const name = `content/answers/${basename(file)}`;
    const data = readYaml(root, file, AnswerFile, problems);
    if (!data) continue;
    if (basename(file).replace(/\.ya?ml$/, '') !== data.intent)
      problems.push({ file: name, entry: 'intent', message: `"${data.intent}" does not match the file name` });
    answerFiles.set(data.intent, data);
    const text = localize(data.answer);
    const label = localize(data.label);
    checkText(name, 'answer', text, ['contacts'], places, problems);
    checkText(name, 'label', label, [], places, problems);
    if (data.kind !== 'knowledge' && !data.answer.en.includes('{contacts}'))
      problems.push({ file: name, entry: 'answer', message: `a "${data.kind}" answer ends with {contacts}` });
    if (data.kind === 'knowledge' && data.source.length === 0)
      problems.push({ file: name, entry: 'source', message: 'a knowledge answer names the passage of the source it rests on' });
    data.source.forEach((passage, i) => {
      if (source && !source.includes(flatten(passage)))
        problems.push({ file: name, entry: `source.${i}`, message: `not found word for word in the source: "${passage.slice(0, 60)}…"` });
    });
    const byPlace: Partial<Record<PlaceCaseName, PlaceCase>> = {};
    for (const [caseName, c] of Object.entries(data.by_place ?? {}) as [PlaceCaseName, { answer: LocalizedTextInput; fallback: boolean } | undefined][]) {
      if (!c) continue;
      const t = localize(c.answer);
      checkText(name, `by_place.${caseName}`, t, ['contacts', 'place'], places, problems);
      byPlace[caseName] = Object.freeze({ text: expand(t), fallback: c.fallback, showsContacts: data.contact_card || t.en.includes('{contacts}') });
    }
    answers.set(data.intent, Object.freeze({
      intent: data.intent,
      kind: data.kind,
      topic: data.topic,
      label,
      source: Object.freeze([...data.source]),
      text: expand(text),
      followUps: Object.freeze([...data.follow_ups]),
      showsContacts: data.contact_card || text.en.includes('{contacts}'),
      byPlace: Object.freeze(byPlace),
    }));
  }

  // The youth quiz: facts from the source, in every language.
  const quizFile = readYaml(root, at('content/quiz.yaml'), QuizFile, problems);
  const quiz = (quizFile?.questions ?? []).map((q, i) => {
    const where = `questions.${i} (${q.id})`;
    const question = localize(q.question);
    const options = q.options.map(localize);
    const explanation = localize(q.explanation);
    checkText('content/quiz.yaml', `${where}.question`, question, [], places, problems);
    options.forEach((o, j) => checkText('content/quiz.yaml', `${where}.options.${j}`, o, [], places, problems));
    checkText('content/quiz.yaml', `${where}.explanation`, explanation, [], places, problems);
    if (source && !source.includes(flatten(q.source)))
      problems.push({ file: 'content/quiz.yaml', entry: `${where}.source`, message: `not found word for word in the source: "${q.source.slice(0, 60)}…"` });
    return Object.freeze({ id: q.id, source: q.source, question, options: Object.freeze(options), correct: q.correct, explanation });
  });
  const quizIds = new Set<string>();
  for (const q of quiz) {
    if (quizIds.has(q.id)) problems.push({ file: 'content/quiz.yaml', entry: q.id, message: 'two questions have this id' });
    quizIds.add(q.id);
  }

  // Training phrases.
  const intents: IntentPhrases[] = [];
  for (const file of yamlFiles(at('intents'))) {
    const data = readYaml(root, file, IntentFile, problems);
    if (!data) continue;
    const name = `intents/${basename(file)}`;
    if (basename(file).replace(/\.ya?ml$/, '') !== data.intent)
      problems.push({ file: name, entry: 'intent', message: `"${data.intent}" does not match the file name` });
    intents.push(
      Object.freeze({
        intent: data.intent,
        utterances: Object.freeze({ ...data.utterances }),
        aspects: Object.freeze({ ...data.aspects }),
        decisive: Object.freeze([...data.decisive]),
        ...(data.requires ? { requires: Object.freeze({ any: Object.freeze([...data.requires.any]), else: data.requires.else }) } : {}),
      }),
    );
  }
  checkPhrases(intents, problems);

  // Concepts across languages, and what is particular to each language.
  const concepts: Concept[] = [];
  const conceptFile = new Map<string, string>();
  for (const file of yamlFiles(at('intents/lexicon'))) {
    const name = `intents/lexicon/${basename(file)}`;
    for (const c of readYaml(root, file, LexiconFile, problems)?.concepts ?? []) {
      const other = conceptFile.get(c.id);
      if (other) problems.push({ file: name, entry: c.id, message: `concept "${c.id}" is also defined in ${other}` });
      conceptFile.set(c.id, name);
      const words: Partial<Record<Language | 'any', string[]>> = {};
      for (const [variety, list] of Object.entries(c.words) as [Variety, string[]][]) (words[VARIETIES[variety]] ??= []).push(...list);
      concepts.push(Object.freeze({ id: c.id, topic: c.topic, start: c.start, words: Object.freeze(words) }));
    }
  }
  const languageData: LanguageData[] = [];
  for (const file of yamlFiles(at('intents/languages'))) {
    const data = readYaml(root, file, LanguageDataFile, problems);
    if (!data) continue;
    if (basename(file).replace(/\.ya?ml$/, '') !== data.language)
      problems.push({ file: `intents/languages/${basename(file)}`, entry: 'language', message: `"${data.language}" does not match the file name` });
    languageData.push(Object.freeze({ ...data, variants: Object.freeze({ ...data.variants }) }));
  }
  const languageFiles = new Set(yamlFiles(at('intents/languages')).map((f) => basename(f).replace(/\.ya?ml$/, '')));
  for (const language of new Set(LOCALES.map(languageOf)))
    if (!languageFiles.has(language))
      problems.push({ file: `intents/languages/${language}.yaml`, message: 'missing: every language has its data (variants, cues, courtesy…)' });

  // Cross-references. Ids come from file names too, so that one broken file does not cascade into
  // "unknown intent" problems everywhere it is mentioned.
  const fileIds = (dir: string) => yamlFiles(at(dir)).map((f) => basename(f).replace(/\.ya?ml$/, ''));
  const answerIds = new Set([...answerFiles.keys(), ...fileIds('content/answers')]);
  const intentIds = new Set([...intents.map((i) => i.intent), ...fileIds('intents')]);
  const groupIds = new Set(topicsFile?.groups.map((g) => g.id) ?? []);
  for (const [id, data] of answerFiles) {
    const name = `content/answers/${id}.yaml`;
    if (!intentIds.has(id)) problems.push({ file: name, message: `no training phrases: add intents/${id}.yaml` });
    if (topicsFile && !groupIds.has(data.topic))
      problems.push({ file: name, entry: 'topic', message: `unknown topic "${data.topic}" (see content/topics.yaml)` });
    for (const f of data.follow_ups)
      if (!answerIds.has(f)) problems.push({ file: name, entry: 'follow_ups', message: `unknown intent "${f}"` });
  }
  for (const id of intentIds) {
    if (!answerIds.has(id) && !isDialogueIntent(id) && id !== OUT_OF_SCOPE)
      problems.push({ file: `intents/${id}.yaml`, message: `unknown intent: no answer in content/answers/${id}.yaml` });
  }
  const conceptIds = new Set(concepts.map((c) => c.id));
  for (const { intent, aspects, decisive, requires } of intents) {
    const name = `intents/${intent}.yaml`;
    for (const concept of requires?.any ?? [])
      if (!conceptIds.has(concept)) problems.push({ file: name, entry: 'requires.any', message: `unknown concept "${concept}" (see intents/lexicon/)` });
    if (requires && !answerIds.has(requires.else)) problems.push({ file: name, entry: 'requires.else', message: `unknown intent "${requires.else}"` });
    for (const [concept, target] of Object.entries(aspects)) {
      if (!conceptIds.has(concept) && concept !== 'place')
        problems.push({ file: name, entry: `aspects.${concept}`, message: `unknown concept (see intents/lexicon/, or \`place\` for a town asked about)` });
      if (target !== 'not_held' && !answerIds.has(target)) problems.push({ file: name, entry: `aspects.${concept}`, message: `unknown intent "${target}"` });
    }
    for (const concept of decisive)
      if (!conceptIds.has(concept)) problems.push({ file: name, entry: 'decisive', message: `unknown concept "${concept}" (see intents/lexicon/)` });
  }
  for (const id of DIALOGUE_INTENTS)
    if (!intentIds.has(id)) problems.push({ file: `intents/${id}.yaml`, message: 'missing: the dialogue needs training phrases for it' });
  checkUniqueLabels(answers, problems);

  if (problems.length > 0) return { ok: false, problems };

  const topics = (topicsFile?.groups ?? []).map((g) =>
    Object.freeze({
      id: g.id,
      label: localize(g.label),
      intents: Object.freeze([...answers.values()].filter((a) => a.topic === g.id && a.kind === 'knowledge').map((a) => a.intent)),
    }),
  );
  const kb: KnowledgeBase = Object.freeze({
    answers,
    intents: Object.freeze(intents),
    places: Object.freeze(places.map((p) => Object.freeze(p))),
    languages: Object.freeze(languagesFile!.values.map((v) => Object.freeze(v))),
    elsewhere: Object.freeze(elsewhereFile!.values.flatMap((v) => v.spellings)),
    concepts: Object.freeze(concepts),
    languageData: Object.freeze(languageData),
    topics: Object.freeze(topics),
    dialogue: Object.freeze(dialogue),
    languageNames: Object.freeze({ ...dialogueFile!.language_names }),
    contactLinks: Object.freeze(dialogueFile!.contact_links.map((l) => Object.freeze({ label: localize(l.label), url: l.url }))),
    linesWithContacts,
    quiz: Object.freeze(quiz),
    quizStopWords: Object.freeze([...(quizFile?.stop_words ?? [])]),
    telegramCommands: Object.freeze(
      Object.fromEntries(Object.entries(dialogueFile!.telegram_commands).map(([k, v]) => [k, localize(v)])) as Record<TelegramCommand, Localized>,
    ),
  });
  return { ok: true, kb };
}

/** Loads or throws InvalidContentError listing every problem: the assistant never starts on bad content. */
export function loadKnowledgeOrThrow(root?: string): KnowledgeBase {
  const result = loadKnowledge(root);
  if (!result.ok) throw new InvalidContentError(result.problems);
  return result.kb;
}

const DIALOGUE_PLACEHOLDERS: Partial<Record<DialogueKey, string[]>> = {
  contacts: [],
  quiz_question: ['number', 'total', 'question'],
  quiz_correct: ['explanation'],
  quiz_wrong: ['answer', 'explanation'],
  quiz_score: ['score', 'total'],
  too_long: ['max'],
  group_intro: ['group'],
  language_switched: [],
};

function checkUniqueLabels(answers: Map<string, Answer>, problems: ContentProblem[]): void {
  for (const locale of LOCALES) {
    const seen = new Map<string, string>();
    for (const a of answers.values()) {
      const key = a.label[locale].toLowerCase();
      const other = seen.get(key);
      if (other) problems.push({ file: `content/answers/${a.intent}.yaml`, entry: `label.${locale}`, message: `"${a.label[locale]}" is also the label of ${other}` });
      seen.set(key, a.intent);
    }
  }
}

function both(first: string, second: string): string {
  return second && second !== first ? `${first}/${second}` : first;
}

function mapLocales(f: (l: Locale) => string): Record<Locale, string> {
  return Object.fromEntries(LOCALES.map((l) => [l, f(l)])) as Record<Locale, string>;
}

/** Whitespace and markdown emphasis do not count when a passage is compared with the source. */
function flatten(text: string): string {
  return text.replace(/\*+/g, '').replace(/\s+/g, ' ').trim();
}

/** A quiz question's text in English by its id, for staff reports (which store ids). */
export function quizQuestionText(kb: KnowledgeBase): (id: string) => string | undefined {
  const texts = new Map(kb.quiz.map((q) => [q.id, q.question.en]));
  return (id) => texts.get(id);
}
