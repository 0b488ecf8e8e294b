/**
 * `npm run bench`: accuracy on blind questions (written by people who saw only the fact sheet: the shared
 * development set in ../shared/eval when present, and the project's own in bench/blind/), per reply language and
 * category, side by side with NLP.js trained on the same intents/; accuracy on the held-out set (tests/heldout,
 * written with the training phrases, never trained on); and speed: per-message latency, throughput, start-up
 * (loading the content and the trained model) and memory. `--no-blind` skips the blind sets (a minute or two).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { LOCALES, type Locale } from '../src/core/locale.js';
import { OUT_OF_SCOPE } from '../src/core/intents.js';
import { Assistant } from '../src/dialogue/assistant.js';
import { PROJECT_ROOT, loadKnowledgeOrThrow } from '../src/knowledge/load.js';
import { DEV_SET, heldOut, outOfScope } from '../tests/heldout/load.js';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { BLIND_DEV, ENGINES, blindTables, ownBlindSets, scoreBlind } from './blind.js';
import { evaluate, pct, type Scores } from './evaluate.js';
import { trainNlpJs } from './nlpjs.js';

const kb = loadKnowledgeOrThrow();

// ---- Blind questions, through the shared scorer: both engines on the same questions in one run.
if (!process.argv.includes('--no-blind')) {
  const sets = [...(existsSync(BLIND_DEV) ? [BLIND_DEV] : []), ...ownBlindSets()];
  if (!existsSync(BLIND_DEV)) console.log('(../shared/eval is absent, as on a clone of the project alone: the shared blind set is skipped)\n');
  console.log('## Blind questions\n');
  for (const set of sets) {
    const reports = Object.values(ENGINES).map(({ name, cmd }) => ({ name, report: scoreBlind(set, cmd) }));
    const title = set === BLIND_DEV ? `Shared blind development set (${reports[0]!.report.total} questions)` : `Own blind set ${basename(set)} (${reports[0]!.report.total} questions)`;
    console.log(`${blindTables(title, reports)}\n`);
  }
}
// `--dev` evaluates on the development set instead (for tuning; the README reports the held-out set).
const set = process.argv.includes('--dev') ? DEV_SET : undefined;
const cases = heldOut(set);
const oos = outOfScope(set);
const verbose = process.argv.includes('--errors');

// ---- Accuracy: our engine, through the whole dialogue (fresh conversation per question, no language given).
const assistant = new Assistant(kb);
let n = 0;
const ours = evaluate(cases, oos, (text) => {
  const reply = assistant.respond({ sessionId: `bench-${n++}`, text });
  return { intent: reply.intent, refused: reply.fallback, lang: reply.lang };
});

// ---- Accuracy: NLP.js on the same training phrases.
const nlpjs = await trainNlpJs(kb);
const answersOf = new Map<string, { intent: string; top: string }>();
for (const c of [...cases, ...oos]) answersOf.set(`${c.lang}\u0000${c.text}`, await nlpjs(c.text, c.lang === 'mixed' ? 'en' : c.lang));
const refusing = new Set(['None', OUT_OF_SCOPE, ...[...kb.answers.values()].filter((a) => a.kind === 'noinfo').map((a) => a.intent)]);
const theirs = evaluate(cases, oos, (text, lang) => {
  const { intent } = answersOf.get(`${lang}\u0000${text}`)!;
  return { intent: intent === 'None' || intent === OUT_OF_SCOPE ? null : intent, refused: refusing.has(intent) };
});

// ---- The classifiers alone: best guess for every in-scope question, never abstaining.
const nlu = assistant.nlu;
const oursTop = evaluate(cases, [], (text) => ({ intent: nlu.understand(text).ranked[0]!.intent, refused: false }));
const theirsTop = evaluate(cases, [], (text, lang) => ({ intent: answersOf.get(`${lang}\u0000${text}`)!.top, refused: false }));

// ---- Speed: every held-out and out-of-scope message, several rounds, each in a fresh conversation.
const texts = [...cases.map((c) => c.text), ...oos.map((c) => c.text)];
const rounds = 20;
const times: number[] = [];
const started = performance.now();
for (let r = 0; r < rounds; r++) {
  for (const base of texts) {
    // Each round writes the message a little differently (trailing spaces): the whole-message fold cache never
    // hits, as with new questions; word-level caches (stems, n-grams, spelling) warm up as they do in service.
    const text = `${base}${' '.repeat(r)}`;
    const t = performance.now();
    assistant.respond({ sessionId: `speed-${r}-${n++}`, text });
    times.push(performance.now() - t);
  }
}
const elapsed = performance.now() - started;
times.sort((a, b) => a - b);
const quantile = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;

// ---- Start-up and memory, in a fresh process.
const startups = [0, 1, 2, 3, 4].map(() =>
  JSON.parse(execFileSync(process.execPath, ['bench/startup.mjs'], { cwd: PROJECT_ROOT, encoding: 'utf8' })) as {
    importMs: number;
    loadMs: number;
    trainMs: number;
    rssMB: number;
  },
);
const best = startups.sort((a, b) => a.loadMs + a.trainMs - (b.loadMs + b.trainMs))[2]!; // the median of five

// ---- Report.
const row = (name: string, s: Scores) =>
  `| ${name} | ${LOCALES.map((l) => pct(s.perLanguage[l].correct, s.perLanguage[l].total)).join(' | ')} | ${pct(s.overall.correct, s.overall.total)} | ${s.outOfScope.total ? pct(s.outOfScope.refused, s.outOfScope.total) : '–'} |`;
const counts = LOCALES.map((l: Locale) => ours.perLanguage[l].total).join(' / ');
console.log(`## ${set ? 'Development-set' : 'Held-out'} accuracy (${cases.length} questions: ${counts} in ${LOCALES.join(' / ')}; ${oos.length} out-of-scope)\n`);
console.log(`| engine | ${LOCALES.join(' | ')} | overall | out-of-scope refused |`);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
console.log(row('this assistant, end to end (answers only when sure)', ours));
console.log(row('NLP.js 4, same intents/, told the language', theirs));
console.log(row('this classifier, best guess, never abstaining', oursTop));
console.log(row('NLP.js 4 classifier, best guess, never abstaining', theirsTop));
console.log(`\nReply language = question language: ${pct(ours.languageDetection.correct, ours.languageDetection.total)}\n`);
console.log('## Speed and memory\n');
console.log(`| measure | value |\n| --- | --- |`);
console.log(`| latency per message, median | ${quantile(0.5).toFixed(3)} ms |`);
console.log(`| latency per message, p99 | ${quantile(0.99).toFixed(3)} ms |`);
console.log(`| throughput, one core | ${Math.round((texts.length * rounds * 1000) / elapsed)} messages/s |`);
console.log(`| start-up: load and check content | ${best.loadMs.toFixed(0)} ms |`);
console.log(`| start-up: load the trained model (or train, when none matches) | ${best.trainMs.toFixed(0)} ms |`);
console.log(`| start-up: total (median of 5) | ${(best.loadMs + best.trainMs).toFixed(0)} ms |`);
console.log(`| RSS after start-up | ${best.rssMB.toFixed(0)} MB |`);
console.log(`\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`);
if (verbose) for (const e of [...ours.errors]) console.log(`${e.lang}\t${JSON.stringify(e.text)}\t${e.expected} → ${e.got}`);
