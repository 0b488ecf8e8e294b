import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../../src/core/observer.js';
import { payloadOf } from '../../src/dialogue/lexicon.js';
import { assistant } from '../support/engine.js';

/** 👍 and 👎 are counted for answers people were given, once each, and only thanked for when kept (issue 12). */
describe('ratings', () => {
  const up = (intent: string) => payloadOf({ type: 'rating', rating: 1, intent });
  const text = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text).join('\n');

  it('records an answer given in the conversation, once', () => {
    const rated: RatingEvent[] = [];
    const bot = assistant({ observers: [{ rating: (e) => void rated.push(e) }] });
    const answer = bot.respond({ sessionId: 'a', text: 'what is the budget of the mission?' });
    expect(answer.intent).toBe('budget');
    const first = bot.respond({ sessionId: 'a', text: '👍', payload: answer.feedback![0]!.payload });
    expect(text(first)).toContain('Thank you for your feedback');
    const again = bot.respond({ sessionId: 'a', text: '👍', payload: answer.feedback![0]!.payload });
    expect(text(again)).toContain('not counted');
    expect(rated.map((e) => e.intent)).toEqual(['budget']);
  });

  it('does not record a rating for an answer the conversation never received', () => {
    const rated: RatingEvent[] = [];
    const bot = assistant({ observers: [{ rating: (e) => void rated.push(e) }] });
    bot.respond({ sessionId: 'b', text: 'who is the head of mission?' });
    // Forged payloads: another answer, and a conversation that has had none.
    for (let i = 0; i < 35; i++) bot.respond({ sessionId: 'b', text: '', payload: up('budget') });
    const forged = bot.respond({ sessionId: 'c', text: '', payload: up('head_of_mission') });
    expect(text(forged)).toContain('not counted');
    expect(rated).toEqual([]);
  });

  it('says so when the rating could not be kept, and lets the person try again', () => {
    let storageWorks = false;
    const rated: string[] = [];
    const bot = assistant({ observers: [{ rating: (e) => (storageWorks ? void rated.push(e.intent) : false) }] });
    const answer = bot.respond({ sessionId: 'd', text: 'ku eshte zyra e misionit ne prishtine?' });
    const failed = bot.respond({ sessionId: 'd', text: '👍', payload: answer.feedback![0]!.payload });
    expect(failed.lang).toBe('sq');
    expect(text(failed)).toContain('nuk u ruajt dot');
    expect(text(failed)).not.toContain('Faleminderit');
    storageWorks = true;
    expect(text(bot.respond({ sessionId: 'd', text: '👍', payload: answer.feedback![0]!.payload }))).toContain('Faleminderit');
    expect(rated).toHaveLength(1);
  });

  it('treats a throwing observer as a rating not kept', () => {
    const bot = assistant({ observers: [{ rating: () => { throw new Error('SQLITE_FULL'); } }] });
    const answer = bot.respond({ sessionId: 'e', text: 'колики је буџет мисије?' });
    const failed = bot.respond({ sessionId: 'e', text: '👍', payload: answer.feedback![0]!.payload });
    expect(failed.lang).toBe('sr-Cyrl');
    expect(text(failed)).toMatch(/сачува/);
  });
});
