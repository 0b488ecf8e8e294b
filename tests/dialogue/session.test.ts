import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/dialogue/session.js';
import { assistant } from '../support/engine.js';

describe('conversations', () => {
  it('are forgotten after the idle time', () => {
    let now = 1_000_000;
    const store = new SessionStore({ ttlMs: 1000, max: 10, now: () => now });
    store.get('a').lastIntent = 'budget';
    now += 900;
    expect(store.get('a').lastIntent).toBe('budget');
    now += 900;
    expect(store.get('a').lastIntent).toBe('budget');
    now += 1100;
    expect(store.get('a').lastIntent).toBeUndefined();
  });

  it('are bounded in number', () => {
    const store = new SessionStore({ ttlMs: 60_000, max: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.get(id);
    expect(store.size).toBe(3);
  });

  it('do not leak into each other', () => {
    const bot = assistant();
    bot.respond({ sessionId: 'one', text: 'a ka zyre ne peje' });
    const other = bot.respond({ sessionId: 'two', text: 'and in prizren?' });
    expect(other.lang).toBe('en');
    expect(other.intent).toBe('offices');
    expect(other.messages[0]!.text).not.toContain('Pejë');
  });
});
