import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import type { Reply } from '../../src/core/reply.js';
import { replyAsPlainText } from '../../src/channels/cli/plain-text.js';

/**
 * The project's own blind questions (bench/blind/*.jsonl, in the format of ../shared/eval/README.md: written by
 * people who saw only the fact sheet), scored as the shared scorer does: the reply must decline when `fallback` is
 * true, else answer (a polite refusal passes with `fallback_ok`), match every `all` pattern and one `any` pattern,
 * and be in `expect_lang`. (The shared scorer also checks the reply text's language by its words; the `lang`
 * field is checked here.)
 */
export interface BlindCase {
  id: string;
  session?: string;
  text: string;
  lang?: string;
  expect_lang: string;
  category: string;
  all?: string[];
  any?: string[];
  fallback: boolean;
  fallback_ok?: boolean;
}

export function blindCases(file: string): BlindCase[] {
  return readFileSync(join(PROJECT_ROOT, 'bench/blind', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as BlindCase);
}

export function passes(c: BlindCase, reply: Reply): boolean {
  const text = replyAsPlainText(reply);
  if (c.expect_lang !== 'any' && reply.lang !== c.expect_lang) return false;
  if (c.fallback) return reply.fallback;
  if (c.fallback_ok && reply.fallback) return true;
  if (reply.fallback) return false;
  const re = (p: string) => new RegExp(p, 'iu');
  return (c.all ?? []).every((p) => re(p).test(text)) && (!c.any?.length || c.any.some((p) => re(p).test(text)));
}
