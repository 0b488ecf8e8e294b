import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/core/locale.js';
import { assistant } from '../support/engine.js';

describe('bad input always gets a polite reply and never throws', () => {
  const bot = assistant();
  const random = (seed: number, length: number) => {
    let x = seed;
    return Array.from({ length }, () => String.fromCharCode((x = (x * 1103515245 + 12345) & 0x7fffffff) % 0xffff)).join('');
  };
  const inputs: [string, string][] = [
    ['empty', ''],
    ['whitespace', ' \n\t '],
    ['100 kB', 'budget '.repeat(15_000)],
    ['emoji only', '😀🎉👍🏽🇽🇰'],
    ['HTML and script', '<img src=x onerror=alert(1)><script>document.cookie</script>'],
    ['random bytes', random(42, 300)],
    ['control characters', '\u0000\u0001\u0002\u001b[31m'],
    ['lone surrogates', '\uD800\uDC00\uDFFF\uD83D'],
    ['right-to-left text', 'مرحبا، ما هي ميزانية البعثة؟'],
    ['Chinese', '欧安组织科索沃特派团的预算是多少'],
    ['German', 'Wie hoch ist das Budget der Mission?'],
    ['SQL', "'; DROP TABLE users; --"],
  ];

  it.each(inputs)('%s', (_name, text) => {
    const reply = bot.respond({ sessionId: 'bad', text });
    expect(reply.messages.length).toBeGreaterThan(0);
    expect(reply.messages[0]!.text.length).toBeGreaterThan(10);
    expect(LOCALES).toContain(reply.lang);
    const all = reply.messages.map((m) => m.text).join(' ');
    expect(all).not.toMatch(/<script|onerror|DROP TABLE|document\.cookie/i);
  });

  it('asks for a shorter message when it is too long', () => {
    const reply = bot.respond({ sessionId: 'long', text: 'a'.repeat(100_000) });
    expect(reply.fallback).toBe(true);
    expect(reply.messages[0]!.text).toContain('too long');
  });

  it('does not answer a topic to emoji, nor to nothing', () => {
    for (const text of ['', '🙂🙂', '???']) {
      const reply = bot.respond({ sessionId: 'x', text });
      expect(reply.intent).toBeNull();
      expect(reply.fallback).toBe(true);
    }
  });

  it('ignores unknown button payloads safely', () => {
    const reply = bot.respond({ sessionId: 'p', text: '', payload: 'i:../../etc/passwd' });
    expect(reply.fallback).toBe(true);
    expect(reply.intent).toBeNull();
  });
});
