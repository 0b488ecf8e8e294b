import { describe, expect, it } from 'vitest';
import type { QuizEvent, TurnEvent } from '../../src/core/observer.js';
import type { Reply, Turn } from '../../src/core/reply.js';
import { MemorySessionStore, type Session, type SessionStore } from '../../src/dialogue/session.js';
import { assistant } from '../support/engine.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A seeded random (mulberry32), so that two assistants draw the same quiz round. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A store as a server keeps one: only text, in a map of its own, outside any assistant. It checks that every state
 * saved is plain data (JSON gives back what was saved: a Map or a Date would not come back equal).
 */
class TextStore extends MemorySessionStore {
  readonly texts = new Map<string, string>();
  override async load(id: string): Promise<Session | undefined> {
    const text = this.texts.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as Session);
  }
  override async save(id: string, session: Session): Promise<void> {
    const text = JSON.stringify(session);
    expect(JSON.parse(text)).toEqual(session);
    this.texts.set(id, text);
  }
}

/** The in-memory store with the delays of a network: loading and saving take a few milliseconds. */
class SlowStore extends MemorySessionStore {
  override async load(id: string): Promise<Session | undefined> {
    await sleep(10);
    return super.load(id);
  }
  override async save(id: string, session: Session): Promise<void> {
    await sleep(10);
    return super.save(id, session);
  }
}

/** The same, without its lock: what turns do when nothing keeps them apart. */
class UnlockedStore extends SlowStore {
  override withLock<T>(_id: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

const TURNS: Omit<Turn, 'sessionId'>[] = [
  { text: 'what is the budget of the mission?' },
  { text: 'and in Serbian?' },
  { text: 'a ka zyre ne peje?' },
  { text: 'po ne prizren?' },
  { text: 'quiz' },
  { text: '1' },
];

describe('conversations behind a session store', () => {
  it('go on, with the same replies, on another assistant sharing the store: the state is plain JSON', async () => {
    const alone = assistant({ random: seeded(7) });
    const expected: Reply[] = [];
    for (const turn of TURNS) expected.push(await alone.handle({ ...turn, sessionId: 'c' }));
    // The quiz's next question, answered by its button, then stopped.
    const press = (r: Reply) => r.quiz!.answerPayload.replace('{i}', '2');
    expected.push(await alone.handle({ sessionId: 'c', text: '', payload: press(expected.at(-1)!) }));
    expected.push(await alone.handle({ sessionId: 'c', text: 'stop' }));

    // Two instances with one store: turns go to each in turn, as a load balancer would send them.
    const store = new TextStore();
    const instances = [assistant({ sessions: store, random: seeded(7) }), assistant({ sessions: store, random: seeded(7) })];
    const got: Reply[] = [];
    const turns = [...TURNS, { text: '', payload: press(expected[TURNS.length - 1]!) }, { text: 'stop' }];
    for (const [i, turn] of turns.entries()) got.push(await instances[i % 2]!.handle({ ...turn, sessionId: 'c' }));

    expect(got).toEqual(expected);
    // What the replies rest on: the follow-up in Serbian repeats the budget, the place follow-up keeps the topic,
    // the quiz round started on one instance is scored on the other.
    expect(got[1]).toMatchObject({ intent: 'change_language', lang: 'sr-Latn' });
    expect(got[1]!.messages[1]!.text).toContain('17.510.500');
    expect(got[3]).toMatchObject({ intent: 'offices', place: 'prizren', lang: 'sr-Latn' });
    expect(got[5]!.messages.at(-1)!.text).toContain('2 od 5');
    expect(got[6]!.messages.at(-1)!.text).toContain('3 od 5');
    expect(got[7]!.messages[0]!.text).toContain('Kviz je prekinut');
    expect(JSON.parse(store.texts.get('c')!)).toMatchObject({ lang: 'sr-Latn', chosen: 'sr-Latn', turns: 8, lastIntent: 'offices', lastPlace: 'prizren' });
  });

  it('are answered one turn at a time: a follow-up sent at once sees the turn before it', async () => {
    const bot = assistant({ sessions: new SlowStore() });
    const [first, second] = await Promise.all([
      bot.handle({ sessionId: 'same', text: 'budget?' }),
      bot.handle({ sessionId: 'same', text: 'and in Serbian?' }),
    ]);
    expect(first.intent).toBe('budget');
    expect(second).toMatchObject({ intent: 'change_language', lang: 'sr-Latn' });
    expect(second.messages[1]!.text).toContain('17.510.500');

    // The control: without the lock both turns read the conversation before either is saved, and the follow-up
    // has nothing to repeat (the menu instead of the budget).
    const unlocked = assistant({ sessions: new UnlockedStore() });
    const [, lost] = await Promise.all([
      unlocked.handle({ sessionId: 'same', text: 'budget?' }),
      unlocked.handle({ sessionId: 'same', text: 'and in Serbian?' }),
    ]);
    expect(lost.messages.map((m) => m.text).join(' ')).not.toContain('17.510.500');
  });

  it('of different people do not wait for each other', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    class Gated extends MemorySessionStore {
      override async load(id: string): Promise<Session | undefined> {
        if (id === 'slow') await gate;
        return super.load(id);
      }
    }
    const bot = assistant({ sessions: new Gated() });
    let slowDone = false;
    const slow = bot.handle({ sessionId: 'slow', text: 'budget?' }).then((r) => ((slowDone = true), r));
    const slowNext = bot.handle({ sessionId: 'slow', text: 'and in Serbian?' });
    const other = await bot.handle({ sessionId: 'other', text: 'who is the head of mission?' });
    expect(other.intent).toBe('head_of_mission');
    expect(slowDone).toBe(false);
    open();
    expect((await slow).intent).toBe('budget');
    expect((await slowNext).messages[1]!.text).toContain('17.510.500');
  });

  it('carry each turn’s context to observers after the conversation is saved, without mixing concurrent turns', async () => {
    const store = new SlowStore();
    const quiz: QuizEvent[] = [];
    const turns: { event: TurnEvent; saved: number | undefined }[] = [];
    const bot = assistant({
      sessions: store,
      observers: [{ quiz: (e) => quiz.push(e), turn: (e) => turns.push({ event: e, saved: store.loadNow(e.sessionId)?.turns }) }],
    });
    await Promise.all([
      bot.handle({ sessionId: 'tg', text: 'quiz', channel: 'telegram', source: 'poster' }),
      bot.handle({ sessionId: 'web', text: 'kuiz', channel: 'web' }),
    ]);
    expect(quiz.map(({ sessionId, channel, source, kind }) => ({ sessionId, channel, source, kind }))).toEqual([
      { sessionId: 'tg', channel: 'telegram', source: 'poster', kind: 'start' },
      { sessionId: 'web', channel: 'web', source: undefined, kind: 'start' },
    ]);
    // Told once saved: the conversation already counts the turn.
    expect(turns.map((t) => [t.event.sessionId, t.event.channel, t.saved])).toEqual([
      ['tg', 'telegram', 1],
      ['web', 'web', 1],
    ]);
    expect(turns[0]!.event.latencyMs).toBeGreaterThanOrEqual(15);
    expect(await bot.sourceOf('tg')).toBe('poster');
    expect(bot.activeSessions).toBe(2);
  });

  it('let the next turn in when a store fails, and keep nothing of the failed one', async () => {
    let saves = 0;
    class Failing extends MemorySessionStore {
      override async save(id: string, session: Session): Promise<void> {
        if (++saves === 1) throw new Error('store down');
        return super.save(id, session);
      }
    }
    const bot = assistant({ sessions: new Failing() });
    const failed = bot.handle({ sessionId: 'f', text: 'budget?' });
    const next = bot.handle({ sessionId: 'f', text: 'and in Serbian?' });
    await expect(failed).rejects.toThrow('store down');
    // The first turn was not kept: the follow-up has no answer to repeat.
    const reply = await next;
    expect(reply.intent).toBe('change_language');
    expect(reply.messages.map((m) => m.text).join(' ')).not.toContain('17.510.500');
  });

  it('answer at once (respond) only over the in-memory store', () => {
    const shared: SessionStore = {
      load: async () => undefined,
      save: async () => undefined,
      peek: async () => undefined,
      withLock: (_id, fn) => fn(),
    };
    expect(() => assistant({ sessions: shared }).respond({ sessionId: 'x', text: 'hi' })).toThrow(/handle/);
    expect(assistant().respond({ sessionId: 'x', text: 'budget?' }).intent).toBe('budget');
  });
});
