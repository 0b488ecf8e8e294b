import { describe, expect, it } from 'vitest';
import { payloadOf } from '../../src/dialogue/lexicon.js';
import { QUESTIONS_PER_ROUND } from '../../src/dialogue/quiz.js';
import { mulberry32 } from '../../src/nlu/softmax.js';
import type { Reply } from '../../src/core/reply.js';
import type { QuizEvent } from '../../src/core/observer.js';
import { assistant, knowledge } from '../support/engine.js';

const quizBot = (events: QuizEvent[] = []) => assistant({ random: mulberry32(42), observers: [{ quiz: (e) => void events.push(e) }] });

describe('the quiz content', () => {
  it('has at least 15 questions, each resting on the source, with the right answer in different positions', () => {
    const quiz = knowledge().quiz;
    expect(quiz.length).toBeGreaterThanOrEqual(15);
    expect(new Set(quiz.map((q) => q.correct)).size).toBeGreaterThan(1);
    for (const q of quiz) for (const o of q.options) expect(o['sr-Cyrl']).toMatch(/[\u0400-\u04FF]|^[\d\s.,%#A-Za-z]+$/);
  });
});

describe('a quiz round through the engine', () => {
  it('starts when asked in Albanian, asks five different questions, scores them and ends with the score', () => {
    const events: QuizEvent[] = [];
    const bot = quizBot(events);
    let reply: Reply = bot.respond({ sessionId: 'q1', text: 'a luajme nje kuiz?', channel: 'web' });
    expect(reply).toMatchObject({ lang: 'sq', intent: 'quiz', fallback: false });
    expect(reply.messages[0]!.text).toContain('Kuiz');
    const seen: string[] = [];
    for (let i = 0; i < QUESTIONS_PER_ROUND; i++) {
      const prompt = reply.quiz!;
      expect(prompt.question).toMatch(new RegExp(`^${i + 1}/${QUESTIONS_PER_ROUND}\\. `));
      expect(reply.quickReplies.map((q) => q.label)).toContain('Ndalo kuizin');
      seen.push(prompt.questionId);
      // Right on even questions, wrong on odd ones.
      const option = i % 2 === 0 ? prompt.correct : (prompt.correct + 1) % prompt.options.length;
      reply = bot.respond({ sessionId: 'q1', text: '', payload: prompt.answerPayload.replace('{i}', String(option)), channel: 'web' });
      expect(reply.messages[0]!.text).toMatch(i % 2 === 0 ? /^✅ E saktë!/ : /^❌ Nuk është e saktë\. Përgjigjja e saktë është \*\*/);
    }
    expect(new Set(seen).size).toBe(QUESTIONS_PER_ROUND);
    expect(reply.quiz).toBeUndefined();
    expect(reply.messages.at(-1)!.text).toContain('**3 nga 5**');
    expect(reply.quickReplies.map((q) => q.label)).toContain('Luaj përsëri');
    expect(events.map((e) => e.kind)).toEqual(['start', 'answer', 'answer', 'answer', 'answer', 'answer', 'finish']);
    expect(events.filter((e) => e.correct).length).toBe(3);
  });

  it('takes a typed option number, and leaves the quiz for any other question', () => {
    const bot = quizBot();
    const start = bot.respond({ sessionId: 'q2', text: 'quiz', channel: 'cli' });
    expect(start.intent).toBe('quiz');
    const answered = bot.respond({ sessionId: 'q2', text: String(start.quiz!.correct + 1) });
    expect(answered.messages[0]!.text).toMatch(/^✅ Correct!/);
    const other = bot.respond({ sessionId: 'q2', text: 'what is the budget of the mission?' });
    expect(other.intent).toBe('budget');
    expect(bot.respond({ sessionId: 'q2', text: '2' }).intent).not.toBe('quiz');
  });

  it('takes an option by its own text before its number: "5" answers the option "5"', () => {
    const bot = quizBot();
    // Rounds until the question whose options are numbers comes up (five of the questions in each round).
    for (let round = 0; round < 40; round++) {
      let reply = bot.respond({ sessionId: `q6-${round}`, text: 'quiz', channel: 'cli' });
      for (let i = 0; i < QUESTIONS_PER_ROUND && reply.quiz; i++) {
        const prompt = reply.quiz;
        if (prompt.questionId === 'regional_centres') {
          expect(prompt.options).toEqual(['3', '5', '10', '30']);
          // By number, "5" would be no option and "3" the third one ("10").
          const five = bot.respond({ sessionId: `q6-${round}`, text: '5' });
          expect(five.messages[0]!.text).toMatch(/^✅ Correct!/);
          return;
        }
        reply = bot.respond({ sessionId: `q6-${round}`, text: '', payload: prompt.answerPayload.replace('{i}', '0') });
      }
    }
    throw new Error('the question about regional centres never came up');
  });

  it('starts a new conversation’s quiz in the language of the one word typed, whatever the greeting’s language', () => {
    const bot = quizBot();
    for (const [word, lang] of [['kuiz', 'sq'], ['kviz', 'sr-Latn'], ['quiz', 'en']] as const) {
      const session = `q7-${word}`;
      // The greeting every channel shows first, in English (the channel's default).
      expect(bot.respond({ sessionId: session, text: '', payload: payloadOf({ type: 'intent', intent: 'greeting' }), channel: 'web' }).lang).toBe('en');
      const started = bot.respond({ sessionId: session, text: word, channel: 'web' });
      expect(started).toMatchObject({ intent: 'quiz', lang });
    }
  });

  it('stops on the stop button, in Serbian Cyrillic, and ignores a press on an old question', () => {
    const events: QuizEvent[] = [];
    const bot = quizBot(events);
    const start = bot.respond({ sessionId: 'q3', text: 'хоћу квиз', channel: 'telegram' });
    expect(start.lang).toBe('sr-Cyrl');
    const first = start.quiz!;
    bot.respond({ sessionId: 'q3', text: '', payload: first.answerPayload.replace('{i}', '0') });
    const stale = bot.respond({ sessionId: 'q3', text: '', payload: first.answerPayload.replace('{i}', '0') });
    expect(stale.quiz!.questionId).not.toBe(first.questionId);
    const stopped = bot.respond({ sessionId: 'q3', text: '', payload: start.quiz!.stop.payload });
    expect(stopped.messages[0]!.text).toContain('Квиз је прекинут');
    expect(events.map((e) => e.kind)).toEqual(['start', 'answer', 'stop']);
  });

  it('stops when the player types a stop word, in Albanian and in Serbian Cyrillic', () => {
    const events: QuizEvent[] = [];
    const bot = quizBot(events);
    expect(bot.respond({ sessionId: 'q4', text: 'kuiz' }).intent).toBe('quiz');
    const stopped = bot.respond({ sessionId: 'q4', text: 'Ndalo!' });
    expect(stopped.messages[0]!.text).toContain('Kuizi u ndal');
    expect(stopped.quiz).toBeUndefined();
    expect(bot.respond({ sessionId: 'q5', text: 'квиз' }).lang).toBe('sr-Cyrl');
    expect(bot.respond({ sessionId: 'q5', text: 'стоп' }).messages[0]!.text).toContain('Квиз је прекинут');
    expect(events.map((e) => e.kind)).toEqual(['start', 'stop', 'start', 'stop']);
  });

  it('is offered in the topic menu', () => {
    const menu = quizBot().respond({ sessionId: 'q4', text: 'show me the topics' });
    expect(menu.quickReplies.map((q) => q.label)).toContain('Quiz');
  });
});
