/**
 * When to answer, ask back or admit not understanding. The classifier's probabilities are calibrated
 * (bench/nlu.ts reports the calibration), so these read as "how likely is this the right topic".
 * Tuned by cross-validation on the training phrases, never on the held-out set.
 */
export interface Policy {
  readonly answer: number;
  readonly sure: number;
  readonly clarify: number;
  readonly candidate: number;
  readonly maxChars: number;
  readonly followUpWords: number;
  readonly followUpTokens: number;
  readonly followUpPrior: number;
  readonly anaphoraPrior: number;
  readonly partWords: number;
  readonly partShare: number;
  readonly topiclessWords: number;
  readonly pairShare: number;
  readonly pairSecond: number;
  readonly ownSituationWords: number;
  readonly storyWords: number;
  readonly switchLanguage: number;
  readonly crisis: number;
}

export const POLICY: Policy = {
  /** Answer when the best topic is at least this likely (out-of-scope messages fall below it, or to the none class). */
  answer: 0.5,
  /** A topic this likely is what the message is about, even if it points back to the last answer. */
  sure: 0.9,
  /**
   * Below `answer`, ask back with the closest topics when the best is at least this likely; a person telling
   * their own situation is answered with the likeliest topic from here on, with the contacts.
   */
  clarify: 0.2,
  /** Topics offered when asking back must be at least this likely. */
  candidate: 0.08,
  /** Messages longer than this get a polite request for a shorter question. */
  maxChars: 1000,
  /** A follow-up such as "and in Peja?" has at most this many words besides the place. */
  followUpWords: 3,
  /** A follow-up without a topic word ("where are they based?") has at most this many words. */
  followUpTokens: 12,
  /**
   * How much likelier the last answer's topic is for such a follow-up than the message alone says (odds ratio).
   * Tuned on conversations of the development sets written for the project (scratch, bench/blind).
   */
  followUpPrior: 12,
  /** The same odds ratio for a short message that points back to the last answer ("those", "tamo", "ata"). */
  anaphoraPrior: 50,
  /**
   * A follow-up of at most this many words that points back and uses the last answer's own words (at least this
   * share of its words of four letters or more) is about that answer, whatever else its words suggest.
   */
  partWords: 8,
  partShare: 0.5,
  /** A message of at most this many words naming no topic and no place ("since when?") continues the last topic. */
  topiclessWords: 8,
  /** Two close topics are answered together when the second is at least this share of the first. */
  pairShare: 0.5,
  /** …or when, the first being likely enough alone, the second is still at least this likely. */
  pairSecond: 0.25,
  /** A message of at least this many words that speaks of the person's own situation gets the contacts too. */
  ownSituationWords: 8,
  /** A message this long tells a story, whoever it is about: the contacts come with the answer. */
  storyWords: 16,
  /**
   * A message of more than three words that names a language switches to it only when the request to switch is
   * this likely: "the court answers me only in Serbian" is a complaint, not a request.
   */
  switchLanguage: 0.6,
  /**
   * Someone who may be in distress gets the crisis line (whom to turn to) from this probability, below `answer`:
   * an unneeded kind word costs little, a menu of topics in reply to "I don't see the point of living" a lot.
   */
  crisis: 0.3,
};
