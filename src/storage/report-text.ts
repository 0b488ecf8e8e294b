import type { Report } from './analytics.js';
import { printable } from './printable.js';

/**
 * A report as plain text for a terminal (`npm run report`): a heading, the totals, and one table per section,
 * every cell made printable and cut at 70 characters.
 */
export function renderReport(r: Report): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const table = (title: string, head: string[], rows: (string | number)[][]) => {
    if (!rows.length) return `\n## ${title}\n\n(none)\n`;
    // Every cell printable: a stored question must not be able to drive the terminal (escapes, \r, bidi overrides).
    const cells = [head, ...rows.map((row) => row.map((cell) => printable(String(cell))))];
    const widths = head.map((_, i) => Math.min(70, Math.max(...cells.map((c) => c[i]!.length))));
    const line = (c: string[]) => c.map((x, i) => (x.length > widths[i]! ? `${x.slice(0, widths[i]! - 1)}…` : x.padEnd(widths[i]!))).join('  ');
    return `\n## ${title}\n\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.slice(1).map(line).join('\n')}\n`;
  };
  const t = r.totals;
  return [
    `# Assistant report ${r.from.slice(0, 10)} – ${r.to.slice(0, 10)}`,
    `\n${t.opened} chats opened; ${t.turns} messages sent in ${t.conversations} of them; ${t.fallbacks} not answered from the knowledge base (${pct(t.turns ? t.fallbacks / t.turns : 0)}); ${t.ratings} ratings.`,
    table('Most frequent questions without an answer', ['language', 'times', 'question (personal data removed)'], r.unanswered.map((u) => [u.lang, u.count, u.text])),
    table('Fallback rate by language and channel', ['language', 'channel', 'messages', 'fallbacks', 'rate'], r.fallbackRates.map((f) => [f.lang, f.channel, f.turns, f.fallbacks, pct(f.rate)])),
    table('Most asked topics', ['topic', 'times'], r.topics.map((x) => [x.intent, x.count])),
    table('Ratings by topic', ['topic', '👍', '👎'], r.ratings.map((x) => [x.intent, x.up, x.down])),
    table('Chats opened by source', ['source', 'chats opened', 'messages sent'], r.sources.map((x) => [x.source, x.conversations, x.turns])),
    table('Quiz rounds by source', ['source', 'started', 'finished'], r.quiz.rounds.map((x) => [x.source ?? '(none)', x.started, x.finished])),
    table('Quiz answers by question', ['question', 'answered', 'right', 'share right'], r.quiz.questions.map((x) => [x.text, x.answered, x.right, pct(x.answered ? x.right / x.answered : 0)])),
  ].join('\n');
}
