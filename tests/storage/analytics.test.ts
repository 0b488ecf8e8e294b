import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { payloadOf } from '../../src/dialogue/lexicon.js';
import { quizQuestionText } from '../../src/knowledge/load.js';
import { Analytics } from '../../src/storage/analytics.js';
import { renderReport } from '../../src/storage/report-text.js';
import { SCHEMA_VERSION, openDatabase } from '../../src/storage/db.js';
import { assistant, knowledge } from '../support/engine.js';
import { tempDir } from '../support/temp.js';

describe('analytics', () => {
  const fresh = () => {
    const analytics = new Analytics(openDatabase(':memory:'), 90);
    return { analytics, bot: assistant({ observers: [analytics] }) };
  };

  it('keeps fallbacks for review without personal data, and counts topics, languages and channels', async () => {
    const { analytics, bot } = fresh();
    bot.respond({ sessionId: 'a', text: 'what is the budget', channel: 'web' });
    bot.respond({ sessionId: 'a', text: 'what is the weather in prizren tomorrow?', channel: 'web' });
    bot.respond({ sessionId: 'b', text: 'ana@example.org here: will it rain tomorrow?', channel: 'telegram' });
    bot.respond({ sessionId: 'b', text: 'ana@example.org here: will it rain tomorrow?', channel: 'telegram' });
    const r = await analytics.report(Date.now() - 60_000, Date.now() + 60_000);
    expect(r.totals).toMatchObject({ turns: 4, conversations: 2 });
    expect(r.totals.fallbacks).toBeGreaterThanOrEqual(3);
    expect(r.topics).toContainEqual({ intent: 'budget', count: 1 });
    const texts = r.unanswered.map((u) => u.text);
    expect(texts).toContain('[e-mail] here: will it rain tomorrow?');
    expect(r.unanswered.find((u) => u.text.startsWith('[e-mail] here'))!.count).toBe(2);
    expect(JSON.stringify(r)).not.toContain('ana@example.org');
    expect(r.fallbackRates.map((f) => f.channel).sort()).toEqual(['telegram', 'web']);
  });

  it('never keeps the words of someone in distress, even when unsure, but counts the turn', async () => {
    const { analytics, bot } = fresh();
    const reply = bot.respond({ sessionId: 'c', text: 'hocu da se ubijem', channel: 'web' });
    expect(reply.intent).toBe('crisis');
    // The same reply with a confidence low enough that any other answer's question would be kept for review.
    analytics.turn({ at: Date.now(), latencyMs: 1, channel: 'web', sessionId: 'c', text: 'ne mogu vise', reply: { ...reply, confidence: 0.3 } });
    analytics.turn({ at: Date.now(), latencyMs: 1, channel: 'web', sessionId: 'c', text: 'sta je budzet', reply: { ...reply, intent: 'budget', confidence: 0.3 } });
    const r = await analytics.report(Date.now() - 60_000, Date.now() + 60_000);
    expect(r.totals.turns).toBe(3);
    expect(r.unanswered.map((u) => u.text)).toEqual(['sta je budzet']);
  });

  it('stores ratings and sources, and no user identifier', async () => {
    const { analytics, bot } = fresh();
    bot.respond({ sessionId: 'tg:123456789', text: '', payload: payloadOf({ type: 'intent', intent: 'greeting' }), opening: true, source: 'basketball-prizren-2027', channel: 'telegram' });
    const answer = bot.respond({ sessionId: 'tg:123456789', text: 'who is the head of mission', channel: 'telegram' });
    expect(answer.feedback!.map((f) => f.label)).toEqual(['👍', '👎']);
    const thanks = bot.respond({ sessionId: 'tg:123456789', text: '', payload: answer.feedback![0].payload, channel: 'telegram' });
    expect(thanks.messages[0]!.text).toContain('Thank you for your feedback');
    const r = await analytics.report(Date.now() - 60_000, Date.now() + 60_000);
    expect(r.ratings).toEqual([{ intent: 'head_of_mission', up: 1, down: 0 }]);
    expect(r.sources).toEqual([{ source: 'basketball-prizren-2027', conversations: 1, turns: 1 }]);
  });

  it('counts what people sent, not the greeting shown when a chat opens', async () => {
    const { analytics, bot } = fresh();
    const greeting = payloadOf({ type: 'intent', intent: 'greeting' });
    // Three page loads from a poster; one person asks two questions (one not answerable), another says hello.
    for (const s of ['w1', 'w2', 'w3']) bot.respond({ sessionId: s, text: '', payload: greeting, opening: true, source: 'poster', channel: 'web' });
    bot.respond({ sessionId: 'w1', text: 'what is the budget', channel: 'web' });
    bot.respond({ sessionId: 'w1', text: 'what is the weather in prizren tomorrow?', channel: 'web' });
    bot.respond({ sessionId: 'w2', text: 'hello', channel: 'web' });
    const r = await analytics.report(Date.now() - 60_000, Date.now() + 60_000);
    expect(r.totals).toMatchObject({ opened: 3, conversations: 2, turns: 3, fallbacks: 1 });
    expect(r.topics).toEqual(expect.arrayContaining([{ intent: 'budget', count: 1 }, { intent: 'greeting', count: 1 }]));
    expect(r.fallbackRates).toEqual([{ lang: 'en', channel: 'web', turns: 3, fallbacks: 1, rate: 1 / 3 }]);
    expect(r.sources).toEqual([{ source: 'poster', conversations: 3, turns: 3 }]);
    expect(renderReport(r)).toContain('3 chats opened; 3 messages sent in 2 of them; 1 not answered from the knowledge base (33.3%)');
  });

  it('never stores the conversation id itself', () => {
    const file = join(tempDir('analytics'), 'a.sqlite');
    const analytics = new Analytics(openDatabase(file), 90);
    assistant({ observers: [analytics] }).respond({ sessionId: 'tg:555000111', text: 'asdkjh qwe', channel: 'telegram' });
    analytics.flush();
    const db = new Database(file, { readonly: true });
    const rows = [db.prepare('SELECT * FROM turns').all(), db.prepare('SELECT * FROM unanswered').all()];
    expect(rows.map((r) => r.length)).toEqual([1, 1]);
    expect(JSON.stringify(rows)).not.toContain('555000111');
    db.close();
  });

  it('deletes what is older than the retention period', async () => {
    const analytics = new Analytics(openDatabase(':memory:'), 90);
    const day = 86_400_000;
    const reply = { lang: 'en' as const, intent: null, confidence: 0.1, fallback: true, messages: [{ text: 'x' }], quickReplies: [] };
    analytics.turn({ at: Date.now() - 100 * day, channel: 'web', sessionId: 's', text: 'old question', reply, latencyMs: 0 });
    analytics.turn({ at: Date.now() - 10 * day, channel: 'web', sessionId: 's', text: 'recent question', reply, latencyMs: 0 });
    expect(analytics.purge()).toBe(2); // the old turn and its unanswered question
    const r = await analytics.report(0, Date.now());
    expect(r.unanswered.map((u) => u.text)).toEqual(['recent question']);
  });

  it('keeps what was written through a reopen (WAL), and migrates to the latest schema', async () => {
    const file = join(tempDir('analytics'), 'a.sqlite');
    const first = openDatabase(file);
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    new Analytics(first, 90).rating({ at: Date.now(), channel: 'web', sessionId: 's', lang: 'sq', intent: 'budget', rating: 1 });
    // No close: as after a crash of the process, the next open must find the committed write.
    const again = new Analytics(openDatabase(file), 90);
    expect((await again.report(0, Date.now() + 1000)).ratings).toEqual([{ intent: 'budget', up: 1, down: 0 }]);
  });

  it('refuses a database from a newer build', () => {
    const file = join(tempDir('analytics'), 'a.sqlite');
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this build/);
  });
});

describe('batched writes', () => {
  it('writes turns within a moment, and everything before a report', async () => {
    const file = join(tempDir('analytics'), 'a.sqlite');
    const analytics = new Analytics(openDatabase(file), 90);
    assistant({ observers: [analytics] }).respond({ sessionId: 's', text: 'what is the budget', channel: 'web' });
    const count = () => (new Database(file, { readonly: true }).prepare('SELECT COUNT(*) n FROM turns').get() as { n: number }).n;
    expect(count()).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(count()).toBe(1);
  });
});

describe('quiz counts', () => {
  it('counts rounds per source and right answers per question, with no identifier', async () => {
    const { mulberry32 } = await import('../../src/nlu/softmax.js');
    const analytics = new Analytics(openDatabase(':memory:'), 90, { quizQuestion: quizQuestionText(knowledge()) });
    const bot = assistant({ observers: [analytics], random: mulberry32(3) });
    bot.respond({ sessionId: 'p1', text: '', payload: 'i:greeting', source: 'basketball-prizren-2027', channel: 'telegram' });
    let reply = bot.respond({ sessionId: 'p1', text: '', payload: 'q:start', channel: 'telegram' });
    const first = reply.quiz!;
    while (reply.quiz) reply = bot.respond({ sessionId: 'p1', text: '', payload: reply.quiz.answerPayload.replace('{i}', String(reply.quiz.correct)), channel: 'telegram' });
    bot.respond({ sessionId: 'p2', text: 'quiz', channel: 'web' });
    const r = await analytics.report(0, Date.now() + 1000);
    expect(r.quiz.rounds).toEqual(expect.arrayContaining([{ source: 'basketball-prizren-2027', started: 1, finished: 1 }, { source: null, started: 1, finished: 0 }]));
    const text = knowledge().quiz.find((q) => q.id === first.questionId)!.question.en;
    expect(r.quiz.questions.find((q) => q.question === first.questionId)).toEqual({ question: first.questionId, text, answered: 1, right: 1 });
    expect(renderReport(r)).toContain(text.slice(0, 40));
    expect(r.quiz.questions.reduce((n, q) => n + q.answered, 0)).toBe(5);
  });
});
