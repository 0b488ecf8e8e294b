import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parsePayload, payloadOf, quizAnswerTemplate } from '../../src/dialogue/lexicon.js';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { assistant } from '../support/engine.js';

const SRC = join(PROJECT_ROOT, 'src');
/** The one module that spells payloads; everything else builds them with payloadOf and reads them with parsePayload. */
const LEXICON = 'dialogue/lexicon.ts';
/** A payload's start, as payloadOf writes it: intent, group, language, channel line, rating, quiz. */
const PAYLOAD_START = /^[iglxrq]:/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The payloads spelled in a file: string and template literals that start like one (`'i:offices'`,
 * `` `l:${locale}` ``), and the menu's `'m'` where it is given or compared as a payload. Comments do not count.
 */
function payloadLiterals(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (node: ts.Node) => `${relative(PROJECT_ROOT, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`;
  const aboutPayload = (node: ts.Node) => /payload/i.test(node.getText());
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const parent = node.parent;
      const menu =
        node.text === 'm' &&
        ((ts.isPropertyAssignment(parent) && aboutPayload(parent.name)) ||
          (ts.isBinaryExpression(parent) && aboutPayload(parent.left === node ? parent.right : parent.left)));
      if (PAYLOAD_START.test(node.text) || menu) found.push(where(node));
    } else if (ts.isTemplateExpression(node) && PAYLOAD_START.test(node.head.text)) found.push(where(node));
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the structure of the code', () => {
  it('spells button payloads in one module: no payload literal in src/ outside src/dialogue/lexicon.ts', () => {
    const files = sourceFiles(SRC).filter((path) => relative(SRC, path) !== LEXICON);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(payloadLiterals)).toEqual([]);
    // The check finds what it looks for (the lexicon spells them all).
    expect(payloadLiterals(join(SRC, LEXICON)).length).toBeGreaterThanOrEqual(6);
  });

  it("builds a quiz poll's answer template in the lexicon too: filled in, it is the answer's payload", () => {
    const payload = quizAnswerTemplate('budget_total').replace('{i}', '2');
    expect(payload).toBe(payloadOf({ type: 'quiz', op: 'answer', questionId: 'budget_total', option: 2 }));
    expect(parsePayload(payload)).toEqual({ type: 'quiz', op: 'answer', questionId: 'budget_total', option: 2 });
  });

  it('answers a malformed request on every channel with the one error shape (the handler is set before any plugin)', async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: '123456:TEST-token',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/hook',
    });
    const app = await buildApp({ config, assistant: assistant() });
    try {
      const posts = ['/api/messages', '/api/webchat/token', '/v3/directline/conversations', '/v3/directline/conversations/x/activities', '/telegram/hook'];
      for (const url of posts) {
        const response = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"type": "message",' });
        expect({ url, status: response.statusCode, body: response.json() }).toEqual({ url, status: 400, body: { error: { code: 'BadRequest', message: expect.stringMatching(/JSON/) } } });
      }
      for (const url of ['/nothing', '/v3/directline/nothing', '/static/nothing.js']) {
        const response = await app.inject(url);
        expect({ url, status: response.statusCode, body: response.json() }).toEqual({ url, status: 404, body: { error: { code: 'NotFound', message: expect.any(String) } } });
      }
    } finally {
      await app.close();
    }
  });
});
