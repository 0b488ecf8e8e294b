/**
 * Blind question sets (written by people who saw only the fact sheet, never intents/) scored by the shared scorer
 * (`../shared/eval/score.mjs`), for this assistant and for NLP.js trained on the same intents/, side by side.
 * Each engine runs as a command speaking the `ask --jsonl` contract, as the scorer expects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../src/knowledge/load.js';

export const SHARED_EVAL = resolve(PROJECT_ROOT, '../shared/eval');
export const SCORER = join(SHARED_EVAL, 'score.mjs');
export const BLIND_DEV = join(SHARED_EVAL, 'blind-dev.jsonl');

export const ENGINES = {
  ours: { name: 'this assistant', cmd: 'node dist/channels/cli/ask.js --jsonl' },
  nlpjs: { name: 'NLP.js 4, same intents/', cmd: 'node --import tsx bench/peer-nlpjs.ts --jsonl' },
} as const;

interface Group {
  passed: number;
  total: number;
}

export interface BlindReport {
  total: number;
  passed: number;
  by_expect_lang: Record<string, Group>;
  by_category: Record<string, Group>;
  results: { id: string; pass: boolean; expected_fallback: boolean; category: string; reasons: string[]; text: string }[];
}

/** Scores one engine on one case file with the shared scorer; its JSON report. */
export function scoreBlind(cases: string, cmd: string): BlindReport {
  const dir = mkdtempSync(join(tmpdir(), 'blind-'));
  try {
    const report = join(dir, 'report.json');
    execFileSync(process.execPath, [SCORER, '--cases', cases, '--cmd', cmd, '--report', report, '--timeout', '600'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return JSON.parse(readFileSync(report, 'utf8')) as BlindReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (g: Group | undefined) => (g && g.total ? `${((100 * g.passed) / g.total).toFixed(1)}%` : '–');
const refused = (r: BlindReport): Group => {
  const must = r.results.filter((c) => c.expected_fallback);
  return { passed: must.filter((c) => c.pass).length, total: must.length };
};

/** Markdown tables: per reply language and overall, then per category, each engine in a column. */
export function blindTables(title: string, reports: { name: string; report: BlindReport }[]): string {
  const languages = ['en', 'sq', 'sr-Latn', 'sr-Cyrl', 'any'];
  const lines = [`### ${title}`, ''];
  lines.push(`| engine | ${languages.join(' | ')} | overall | must-refuse refused |`, `| --- |${' --- |'.repeat(languages.length + 2)}`);
  for (const { name, report } of reports)
    lines.push(
      `| ${name} | ${languages.map((l) => pct(report.by_expect_lang[l])).join(' | ')} | ${pct(report)} | ${pct(refused(report))} |`,
    );
  if (reports.length === 2) {
    const [a, b] = reports.map((r) => r.report) as [BlindReport, BlindReport];
    const lead = (x?: Group, y?: Group) => (x && y && x.total && y.total ? `${((100 * x.passed) / x.total - (100 * y.passed) / y.total).toFixed(1)}` : '–');
    lines.push(
      `| lead (points) | ${languages.map((l) => lead(a.by_expect_lang[l], b.by_expect_lang[l])).join(' | ')} | ${lead(a, b)} | ${lead(refused(a), refused(b))} |`,
    );
  }
  const categories = Object.entries(reports[0]!.report.by_category).sort((x, y) => y[1].total - x[1].total);
  lines.push('', `| category | questions | ${reports.map((r) => r.name).join(' | ')} |`, `| --- | --- |${' --- |'.repeat(reports.length)}`);
  for (const [category, group] of categories)
    lines.push(`| ${category} | ${group.total} | ${reports.map((r) => pct(r.report.by_category[category])).join(' | ')} |`);
  return lines.join('\n');
}

/** The project's own blind sets (bench/blind/*.jsonl), written the same way as the shared one. */
export function ownBlindSets(): string[] {
  const dir = join(PROJECT_ROOT, 'bench/blind');
  if (!existsSync(dir)) return [];
  return ['tuning.jsonl', 'validation.jsonl', 'final.jsonl'].map((f) => join(dir, f)).filter(existsSync);
}
