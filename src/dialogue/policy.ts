/**
 * When to answer, ask back or admit not understanding. The classifier's probabilities are calibrated
 * (bench/nlu.ts reports the calibration), so these read as "how likely is this the right topic".
 * Tuned by cross-validation on the training phrases, never on the held-out set.
 */
export interface Policy {
  readonly answer: number;
  readonly clarify: number;
  readonly candidate: number;
  readonly maxChars: number;
  readonly followUpWords: number;
  readonly switchLanguage: number;
  readonly crisis: number;
}

export const POLICY: Policy = {
  /** Answer when the best topic is at least this likely (out-of-scope messages fall below it, or to the none class). */
  answer: 0.5,
  /** Below `answer`, ask back with the closest topics when the best is at least this likely. */
  clarify: 0.2,
  /** Topics offered when asking back must be at least this likely. */
  candidate: 0.08,
  /** Messages longer than this get a polite request for a shorter question. */
  maxChars: 1000,
  /** A follow-up such as "and in Peja?" has at most this many words besides the place. */
  followUpWords: 3,
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
