import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOCALES } from '../../src/core/locale.js';
import { replyAsPlainText } from '../../src/channels/cli/plain-text.js';
import { assistant } from '../support/engine.js';

const Turn = z.strictObject({
  say: z.string().default(''),
  lang: z.enum(LOCALES).optional(),
  hint: z.enum(LOCALES).optional(),
  payload: z.string().optional(),
  expect: z.strictObject({
    lang: z.enum(LOCALES).optional(),
    intent: z.string().nullable().optional(),
    fallback: z.boolean().optional(),
    contains: z.array(z.string()).default([]),
    not_contains: z.array(z.string()).default([]),
    buttons: z.array(z.string()).default([]),
  }),
});
const File = z.strictObject({ conversations: z.array(z.strictObject({ name: z.string(), turns: z.array(Turn).min(1) })) });

const dir = join(import.meta.dirname, '../conversations');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe.each(files)('%s', (file) => {
  const { conversations } = File.parse(load(readFileSync(join(dir, file), 'utf8')));
  it.each(conversations.map((c) => [c.name, c] as const))('%s', (_name, conversation) => {
    const bot = assistant();
    const sessionId = `${file}:${conversation.name}`;
    conversation.turns.forEach((turn, i) => {
      const reply = bot.respond({
        sessionId,
        text: turn.say,
        ...(turn.lang ? { lang: turn.lang } : {}),
        ...(turn.hint ? { langHint: turn.hint } : {}),
        ...(turn.payload ? { payload: turn.payload } : {}),
      });
      const where = `turn ${i + 1} "${turn.say}"`;
      const text = replyAsPlainText(reply);
      const { expect: e } = turn;
      if (e.lang) expect(reply.lang, where).toBe(e.lang);
      if (e.intent !== undefined) expect(reply.intent, where).toBe(e.intent);
      if (e.fallback !== undefined) expect(reply.fallback, where).toBe(e.fallback);
      for (const fragment of e.contains) expect(text, where).toContain(fragment);
      for (const fragment of e.not_contains) expect(text, where).not.toContain(fragment);
      for (const label of e.buttons) expect(reply.quickReplies.map((q) => q.label), where).toContain(label);
    });
  });
});
