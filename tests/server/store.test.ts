import { describe, expect, it } from 'vitest';
import { ConversationStore, type StoreOptions } from '../../src/channels/directline/store.js';

const message = (text: string) => ({ type: 'message', text });
const store = (options: Partial<StoreOptions> = {}) => new ConversationStore({ ttlMs: 60_000, max: 10_000, history: 8, maxBytes: 1_000_000, maxPerAddress: 1_000, ...options });
/** A stream that records whether it was closed. */
const stream = () => {
  const s = { closed: false, send: () => undefined, close: () => void (s.closed = true) };
  return s;
};

describe('Direct Line conversation store', () => {
  it('keeps the last activities of a conversation, with increasing watermarks', () => {
    const s = store({ max: 10, history: 3 });
    const c = s.create('10.0.0.1');
    const ids = s.append(c, [message('a'), message('b'), message('c'), message('d')]);
    expect(ids[3]).toBe(`${c.id}|0000004`);
    const all = JSON.parse(s.since(c, undefined).set) as { activities: { text: string }[]; watermark: string };
    expect(all.activities.map((a) => a.text)).toEqual(['b', 'c', 'd']);
    expect(all.watermark).toBe('4');
    expect(JSON.parse(s.since(c, '3').set).activities).toHaveLength(1);
  });

  it('stays within its memory budget, forgetting an address’s least recently active conversations and closing their streams', () => {
    const s = store({ history: 20, maxBytes: 200_000 });
    const first = s.create('10.0.0.1');
    const listener = stream();
    first.listeners.add(listener);
    for (let i = 0; i < 200; i++) {
      const c = s.create('10.0.0.1');
      s.append(c, Array.from({ length: 10 }, (_, j) => message(`${i}-${j}-${'x'.repeat(500)}`)));
      expect(s.bytes).toBeLessThanOrEqual(200_000);
    }
    expect(s.get(first.id)).toBeUndefined();
    expect(listener.closed).toBe(true);
    // Each holds 10 activities of ~650 characters (~15 kB): a dozen fit in 200 kB.
    expect(s.size).toBeLessThan(20);
    expect(s.size).toBeGreaterThan(5);
  });

  it('makes the address holding the most give up memory: one opening hundreds of conversations pushes out none of another’s', () => {
    const s = store({ maxBytes: 300_000 });
    const victim = s.create('192.0.2.1');
    const listener = stream();
    victim.listeners.add(listener);
    s.append(victim, [message('what is the budget of the mission?')]);
    // The victim is the least recently active of all from here on: a plain LRU would forget it first.
    const attacker: string[] = [];
    for (let i = 0; i < 300; i++) {
      const c = s.create('203.0.113.7');
      attacker.push(c.id);
      s.append(c, Array.from({ length: 8 }, (_, j) => message(`${i}-${j}-${'y'.repeat(1_000)}`)));
      expect(s.bytes).toBeLessThanOrEqual(300_000);
    }
    expect(s.get(victim.id)).toBe(victim);
    expect(listener.closed).toBe(false);
    // The attacker's own oldest went; its latest are kept.
    expect(s.get(attacker[0]!)).toBeUndefined();
    expect(s.get(attacker.at(-1)!)).toBeDefined();
  });

  it('lets one address hold at most its share of conversations, recycling its own least recently active', () => {
    const s = store({ maxPerAddress: 3 });
    const other = s.create('192.0.2.1');
    const [a, b, c] = [s.create('203.0.113.7'), s.create('203.0.113.7'), s.create('203.0.113.7')];
    s.get(a.id); // a is active again: b is now the idlest
    const d = s.create('203.0.113.7');
    expect(s.get(b.id)).toBeUndefined();
    for (const kept of [a, c, d, other]) expect(s.get(kept.id)).toBe(kept);
  });

  it('bounds a conversation in bytes, whatever its activities hold, keeping the newest', () => {
    const s = store({ conversationBytes: 20_000 });
    const c = s.create('10.0.0.1');
    for (let i = 0; i < 8; i++) s.append(c, [{ type: 'message', text: `${i}`, from: { id: 'u', name: 'n'.repeat(3_000), role: 'user' } } as never]);
    expect(2 * c.chars).toBeLessThanOrEqual(20_000);
    const kept = (JSON.parse(s.since(c, undefined).set) as { activities: { text: string }[] }).activities.map((a) => a.text);
    expect(kept.at(-1)).toBe('7');
    expect(kept.length).toBeLessThan(8);
  });

  it('counts client ids, and forgets old ones', () => {
    const s = store();
    const c = s.create('10.0.0.1');
    const before = c.chars;
    for (let i = 0; i < 100; i++) s.remember(c, `client-${i}`, `${c.id}|${i}`);
    expect(c.clientIds.size).toBeLessThanOrEqual(32);
    expect(c.clientIds.has('client-99')).toBe(true);
    expect(c.clientIds.has('client-0')).toBe(false);
    expect(c.chars - before).toBeLessThan(32 * 60);
  });

  it('forgets idle conversations on time, closing their streams and giving their memory back', async () => {
    const s = store({ ttlMs: 50 });
    const c = s.create('10.0.0.1');
    const listener = stream();
    c.listeners.add(listener);
    s.append(c, [message('hello')]);
    expect(s.bytes).toBeGreaterThan(0);
    for (let i = 0; i < 100 && s.size; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
    expect(listener.closed).toBe(true);
  });
});
