/**
 * `npm run --silent ask -- --jsonl`: reads one JSON object per line on stdin
 * (`{"id", "session"?, "text", "lang"?}`) and writes one JSON line per input, in order:
 * `{"id", "session", "lang", "intent", "confidence", "fallback", "text"}`. Nothing else goes to stdout.
 */
import { createInterface } from 'node:readline';
import { isLocale } from '../../core/locale.js';
import { Assistant } from '../../dialogue/assistant.js';
import { loadKnowledgeOrThrow } from '../../knowledge/load.js';
import { replyAsPlainText } from './plain-text.js';

if (!process.argv.includes('--jsonl')) {
  process.stderr.write('Usage: npm run --silent ask -- --jsonl < questions.jsonl\n');
  process.exit(2);
}

let assistant: Assistant;
try {
  assistant = new Assistant(loadKnowledgeOrThrow());
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}

let line = 0;
for await (const input of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  line += 1;
  if (!input.trim()) continue;
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(input);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    request = parsed as Record<string, unknown>;
  } catch (error) {
    process.stderr.write(`line ${line}: skipped, not a JSON object (${(error as Error).message})\n`);
    process.stdout.write(`${JSON.stringify({ id: null, error: 'invalid JSON line' })}\n`);
    continue;
  }
  const id = request.id ?? null;
  const session = typeof request.session === 'string' || typeof request.session === 'number' ? String(request.session) : `line-${line}`;
  const text = typeof request.text === 'string' ? request.text : '';
  const lang = isLocale(request.lang) ? request.lang : undefined;
  const reply = await assistant.handle({ sessionId: session, text, channel: 'ask', ...(lang ? { lang } : {}) });
  const output = {
    id,
    session: request.session ?? null,
    lang: reply.lang,
    intent: reply.intent,
    confidence: Math.round(reply.confidence * 1000) / 1000,
    fallback: reply.fallback,
    text: replyAsPlainText(reply),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}
