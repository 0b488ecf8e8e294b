import type { Locale } from '../core/locale.js';
import type { QuickReply, QuizPrompt } from '../core/reply.js';
import type { KnowledgeBase, QuizQuestion } from '../knowledge/types.js';
import { fold } from '../nlu/normalize.js';
import { payloadOf, quizAnswerTemplate } from './lexicon.js';

export const QUESTIONS_PER_ROUND = 5;

/** A round in progress: the questions drawn for it, where it is, and the score so far. */
export interface QuizRound {
  readonly questions: readonly string[];
  index: number;
  score: number;
}

/** What the dialogue shows for a step of the quiz, before it becomes a reply. */
export interface QuizStep {
  lines: string[];
  prompt?: QuizPrompt;
  buttons: QuickReply[];
  finished?: boolean;
}

/**
 * The youth quiz: rounds of five questions drawn at random without repeats, answered by button, by poll or by
 * typing the option (its number or its words), with the explanation after each answer and the score at the end.
 */
export class QuizMaster {
  private readonly byId: ReadonlyMap<string, QuizQuestion>;
  private readonly stopWords: ReadonlySet<string>;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly random: () => number,
  ) {
    this.byId = new Map(kb.quiz.map((q) => [q.id, q]));
    this.stopWords = new Set(kb.quizStopWords.map(fold));
  }

  /** True when a message typed during a round asks to end it ("stop", "ndalo", "прекини"). */
  isStop(text: string): boolean {
    return this.stopWords.has(fold(text));
  }

  /** A new round: five distinct questions in random order (Fisher–Yates on the question list). */
  newRound(): QuizRound {
    const ids = this.kb.quiz.map((q) => q.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    return { questions: ids.slice(0, Math.min(QUESTIONS_PER_ROUND, ids.length)), index: 0, score: 0 };
  }

  current(round: QuizRound): QuizQuestion {
    return this.byId.get(round.questions[round.index]!)!;
  }

  /** The option a typed message picks for the current question: "2", "b", or the option's own words. */
  optionTyped(round: QuizRound, text: string): number | undefined {
    const q = this.current(round);
    const t = fold(text);
    // An option's own text first: "5" answers the option "5", not the fifth (or, by number, the second) one.
    const i = q.options.findIndex((o) => Object.values(o).some((v) => fold(v) === t));
    if (i >= 0) return i;
    if (/^[1-4]$/.test(t) && Number(t) <= q.options.length) return Number(t) - 1;
    if (/^[a-d]$/.test(t) && t.charCodeAt(0) - 97 < q.options.length) return t.charCodeAt(0) - 97;
    return undefined;
  }

  /** The current question, as text with numbered options for text channels, and as a prompt for poll channels. */
  ask(round: QuizRound, locale: Locale): QuizStep {
    const q = this.current(round);
    const d = this.kb.dialogue;
    const stop = { label: d.quiz_stop_button[locale], payload: payloadOf({ type: 'quiz', op: 'stop' }) };
    const text = d.quiz_question[locale]
      .replace('{number}', String(round.index + 1))
      .replace('{total}', String(round.questions.length))
      .replace('{question}', q.question[locale]);
    const options = q.options.map((o) => o[locale]);
    return {
      lines: [`${text}\n${options.map((o, i) => `${i + 1}. ${o}`).join('\n')}`],
      prompt: {
        questionId: q.id,
        question: `${round.index + 1}/${round.questions.length}. ${q.question[locale]}`,
        options,
        correct: q.correct,
        explanation: q.explanation[locale],
        answerPayload: quizAnswerTemplate(q.id),
        stop,
      },
      buttons: [...options.map((label, i) => ({ label, payload: payloadOf({ type: 'quiz', op: 'answer', questionId: q.id, option: i }) })), stop],
    };
  }

  /** Scores an answer and moves on: feedback, then the next question or the final score. */
  answer(round: QuizRound, option: number, locale: Locale): { step: QuizStep; correct: boolean } {
    const q = this.current(round);
    const d = this.kb.dialogue;
    const correct = option === q.correct;
    if (correct) round.score += 1;
    const feedback = (correct ? d.quiz_correct[locale] : d.quiz_wrong[locale])
      .replace('{answer}', q.options[q.correct]![locale])
      .replace('{explanation}', q.explanation[locale]);
    round.index += 1;
    if (round.index < round.questions.length) {
      const next = this.ask(round, locale);
      return { step: { ...next, lines: [feedback, ...next.lines] }, correct };
    }
    const score = d.quiz_score[locale].replace('{score}', String(round.score)).replace('{total}', String(round.questions.length));
    return {
      step: {
        lines: [feedback, score],
        buttons: [{ label: d.quiz_again_button[locale], payload: payloadOf({ type: 'quiz', op: 'start' }) }, { label: d.menu_button[locale], payload: payloadOf({ type: 'menu' }) }],
        finished: true,
      },
      correct,
    };
  }
}
