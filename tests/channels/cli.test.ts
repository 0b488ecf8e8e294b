import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buttonTyped } from '../../src/channels/cli/buttons.js';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import type { Reply } from '../../src/core/reply.js';
import { mulberry32 } from '../../src/nlu/softmax.js';
import { assistant } from '../support/engine.js';

function run(script: string, input = '', args: string[] = []) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT_ROOT, input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 2 ** 20 });
}

describe('ask --jsonl', () => {
  const lines = [
    { id: 'q1', session: 's1', text: 'a ka zyre osbe ne peje?' },
    { id: 'q2', session: 's1', text: 'po ne prizren?' },
    { id: 'q3', text: 'what is the budget', lang: 'sr-Cyrl' },
    { id: 'q4', session: 's2', text: 'asdkjh qwe' },
    { id: 'q5', session: 's2', text: '' },
  ];
  const result = run('src/channels/cli/ask.ts', `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`, ['--jsonl']);
  const out = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes one JSON line per input, in order, and nothing else on stdout', () => {
    expect(result.status).toBe(0);
    expect(out.map((o) => o.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', null]);
    expect(result.stderr).toContain('line 6');
  });

  it('reports language, intent, confidence, fallback and the whole text', () => {
    expect(out[0]).toMatchObject({ session: 's1', lang: 'sq', intent: 'offices', fallback: false });
    expect(out[0]!.text).toContain('Pejë/Peć');
    expect(out[0]!.text).toContain('\nTemat');
    expect(out[1]).toMatchObject({ lang: 'sq', intent: 'offices' });
    expect(out[1]!.text).toContain('Prizren');
    expect(out[2]).toMatchObject({ session: null, lang: 'sr-Cyrl', intent: 'budget', fallback: false });
    expect(out[2]!.text).toContain('17.510.500 евра');
    expect(out[3]).toMatchObject({ intent: null, fallback: true });
    expect(typeof out[3]!.confidence).toBe('number');
    expect(out[4]).toMatchObject({ intent: null, fallback: true });
  });
});

describe('export-corpus', () => {
  const result = run('src/tools/export-corpus.ts');
  it('writes the training phrases and answers of every intent as one JSON document', () => {
    expect(result.status).toBe(0);
    const corpus = JSON.parse(result.stdout) as { languages: string[]; intents: { id: string; utterances: Record<string, string[]>; answers: Record<string, string> }[] };
    expect(corpus.languages).toEqual(['en', 'sq', 'sr-Latn', 'sr-Cyrl']);
    const budget = corpus.intents.find((i) => i.id === 'budget')!;
    expect(budget.answers['sr-Cyrl']).toContain('17.510.500 евра');
    expect(budget.utterances.sq!.length).toBeGreaterThanOrEqual(12);
    expect(corpus.intents.find((i) => i.id === 'offices')!.answers.en).toContain('Gjilan/Gnjilane');
  });
});

describe('check-content', () => {
  it('says the content is valid', () => {
    const result = run('src/tools/check-content.ts');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Content is valid: \d+ answers/);
  });
});

describe('npm run chat: typing a button', () => {
  it('presses the quiz option whose label was typed ("5") before the button of that number (the fifth is "Stop the quiz")', () => {
    const bot = assistant({ random: mulberry32(7) });
    let reply: Reply | undefined;
    for (let round = 0; round < 40 && reply?.quiz?.questionId !== 'regional_centres'; round++) {
      reply = bot.respond({ sessionId: `cli-${round}`, text: 'quiz', channel: 'cli' });
      for (let i = 0; i < 4 && reply.quiz && reply.quiz.questionId !== 'regional_centres'; i++)
        reply = bot.respond({ sessionId: `cli-${round}`, text: '', payload: reply.quiz.answerPayload.replace('{i}', '0'), channel: 'cli' });
    }
    const buttons = reply!.quickReplies;
    expect(buttons.map((b) => b.label)).toEqual(['3', '5', '10', '30', 'Stop the quiz']);
    expect(buttonTyped(buttons, '5')).toBe(buttons[1]);
    expect(buttonTyped(buttons, ' 30 ')).toBe(buttons[3]);
    // A number that is no label still presses that button; other text presses none.
    expect(buttonTyped(buttons, '4')).toBe(buttons[3]);
    expect(buttonTyped(buttons, 'stop the QUIZ')).toBe(buttons[4]);
    expect(buttonTyped(buttons, 'how many regional centres?')).toBeUndefined();
  });
});
