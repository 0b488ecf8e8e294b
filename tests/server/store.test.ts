import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../src/channels/directline/store.js';

const message = (text: string) => ({ type: 'message', text });

describe('Direct Line conversation store', () => {
  it('keeps the last activities of a conversation, with increasing watermarks', () => {
    const store = new ConversationStore({ ttlMs: 60_000, max: 10, history: 3, maxBytes: 1_000_000 });
    const c = store.create();
    const ids = store.append(c, [message('a'), message('b'), message('c'), message('d')]);
    expect(ids[3]).toBe(`${c.id}|0000004`);
    const all = JSON.parse(store.since(c, undefined).set) as { activities: { text: string }[]; watermark: string };
    expect(all.activities.map((a) => a.text)).toEqual(['b', 'c', 'd']);
    expect(all.watermark).toBe('4');
    expect(JSON.parse(store.since(c, '3').set).activities).toHaveLength(1);
  });

  it('stays within its memory budget, forgetting the least recently active conversations and closing their streams', () => {
    const store = new ConversationStore({ ttlMs: 60_000, max: 10_000, history: 20, maxBytes: 200_000 });
    const closed: string[] = [];
    const first = store.create();
    first.listeners.add({ send: () => undefined, close: () => void closed.push(first.id) });
    for (let i = 0; i < 200; i++) {
      const c = store.create();
      store.append(c, Array.from({ length: 10 }, (_, j) => message(`${i}-${j}-${'x'.repeat(500)}`)));
    }
    expect(store.get(first.id)).toBeUndefined();
    expect(closed).toEqual([first.id]);
    // Each keeps 10 activities of ~560 characters (the same content shared, counted once), 200 kB in all.
    expect(store.size).toBeLessThan(200);
    expect(store.size).toBeGreaterThan(5);
  });
});
