import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/dialogue/session.js';
import { assistant } from '../support/engine.js';

describe('conversations', () => {
  it('are forgotten after the idle time', () => {
    let now = 1_000_000;
    const store = new MemorySessionStore({ ttlMs: 1000, max: 10, now: () => now });
    store.saveNow('a', { turns: 1, lastIntent: 'budget' });
    now += 900;
    expect(store.loadNow('a')?.lastIntent).toBe('budget');
    now += 900;
    expect(store.loadNow('a')?.lastIntent).toBe('budget');
    now += 1100;
    expect(store.loadNow('a')).toBeUndefined();
  });

  it('are bounded in number', () => {
    const store = new MemorySessionStore({ ttlMs: 60_000, max: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.saveNow(id, { turns: 1 });
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
