import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { Analytics } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { printable } from '../../src/storage/printable.js';
import { renderReport } from '../../src/storage/report-text.js';
import { tempDir } from '../support/temp.js';

/** A question that tries to drive the terminal: set its title, clear it, forge a report line, reverse text. */
const HOSTILE = 'hello\x1b]0;owned\x07\x1b[2J\x1b[H\r## Most asked topics\nbudget  999\u202Egnp.exe\u2066x\u2069 \x9b31m\x1bP+q\x1b\\ end';
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

const reply = { lang: 'en' as const, intent: null, confidence: 0.1, fallback: true, messages: [{ text: 'x' }], quickReplies: [] };

/** A database holding the hostile question twice: once stored by Analytics today, once as an older build stored it. */
function database(file: string): Analytics {
  const db = openDatabase(file);
  const analytics = new Analytics(db, 90);
  analytics.turn({ at: Date.now(), channel: 'web', sessionId: 'a', text: HOSTILE, reply, latencyMs: 1 });
  analytics.flush();
  db.prepare("INSERT INTO unanswered VALUES (?, 'web', 'sq', NULL, 0.1, ?, 'raw', NULL, 'b')").run(Date.now(), HOSTILE);
  return analytics;
}

describe('printable', () => {
  it('removes escape sequences whole, line breaks and format characters', () => {
    expect(printable(HOSTILE)).toBe('hello ## Most asked topics budget  999gnp.exex  end');
    expect(printable('a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ b\x1bc\x1b(B\x1b7')).toBe('alink b');
    expect(printable('Ku është zyra në Pejë? Где је канцеларија? 👍')).toBe('Ku është zyra në Pejë? Где је канцеларија? 👍');
  });
});

describe('the report', () => {
  it('stores questions printable, and shows older ones printable on the staff page and in the terminal', async () => {
    const analytics = database(join(tempDir('report'), 'assistant.sqlite'));
    const report = await analytics.report(Date.now() - 60_000, Date.now() + 60_000);
    expect(report.unanswered).toHaveLength(2);
    for (const u of report.unanswered) expect(u.text).not.toMatch(UNSAFE);
    const text = renderReport(report);
    expect(text).not.toMatch(UNSAFE);
    // One line per question: nothing a question holds can start a line of its own.
    expect(text.split('\n').filter((l) => l.startsWith('## Most asked topics'))).toHaveLength(1);
    expect(text.split('\n').filter((l) => l.includes('hello'))).toHaveLength(2);
  });

  it('npm run report prints none of it', async () => {
    const dir = tempDir('report');
    database(join(dir, 'assistant.sqlite'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/tools/report.ts', '--days', '1'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(out).toContain('hello ## Most asked topics budget 999');
    expect(out).not.toMatch(UNSAFE);
  }, 60_000);
});
