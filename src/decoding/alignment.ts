import type { Vocabulary } from '../model/vocab.ts';
import type { StepRecord } from './search.ts';

/** A transcript character with its time: from the attention peak of the step that emitted it (align), or from its CTC spike (ctcTimedTokens). */
export interface TimedToken {
  readonly token: string;
  readonly id: number;
  readonly start: number; // seconds: peak frame * frameSeconds
  readonly end: number; // seconds: the next step's peak, at least one encoder frame later
}

export interface TimedWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** Words are the runs of tokens between spaces, from their first token's start to their last token's end. */
export function wordsOf(tokens: readonly TimedToken[]): TimedWord[] {
  const words: TimedWord[] = [];
  let current: TimedToken[] = [];
  const flush = () => {
    if (current.length > 0) words.push(Object.freeze({ word: current.map((t) => t.token).join(''), start: current[0].start, end: current[current.length - 1].end }));
    current = [];
  };
  for (const t of tokens) {
    if (t.token === ' ') flush();
    else current.push(t);
  }
  flush();
  return words;
}

/** Row-major [rows = text tokens, cols = encoder frames]; each row holds that step's weights at their absolute frames. */
export interface AttentionMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export interface Alignment {
  readonly text: string;
  readonly ids: readonly number[];
  readonly tokens: readonly TimedToken[];
  readonly words: readonly TimedWord[];
  /** Mean window size over every step of the best hypothesis, the final <eos> included. */
  readonly framesAttendedPerToken: number;
  readonly attention: AttentionMatrix | undefined;
}

export interface AlignOptions {
  /** Also build the attention matrix [tokens, encoderFrames] from the steps' weights. Default false. */
  readonly withAttention?: boolean;
}

/**
 * Turns the best hypothesis's steps into the user-facing transcript. `frameSeconds` is the
 * duration of one encoder frame (subsampling * hop / sample rate = 40 ms for the contract).
 * <eos> (and anything else that is not text) is dropped from the text, tokens and matrix.
 */
export function align(steps: readonly StepRecord[], vocab: Vocabulary, frameSeconds: number, encoderFrames: number, options: AlignOptions = {}): Alignment {
  const withAttention = options.withAttention === true;
  const textSteps = steps.map((s, i) => ({ s, i })).filter(({ s }) => vocab.isText(s.token));
  const tokens: TimedToken[] = textSteps.map(({ s, i }) => {
    const start = s.peakFrame * frameSeconds;
    const next = steps[i + 1];
    const end = Math.max(start + frameSeconds, next === undefined ? 0 : next.peakFrame * frameSeconds);
    return Object.freeze({ token: vocab.tokens[s.token], id: s.token, start, end });
  });

  const words = wordsOf(tokens);

  let attention: AttentionMatrix | undefined;
  if (withAttention) {
    const data = new Float32Array(textSteps.length * encoderFrames); // [tokens, encoderFrames]
    textSteps.forEach(({ s }, row) => {
      if (s.weights !== undefined) data.set(s.weights.subarray(0, s.window.end - s.window.start), row * encoderFrames + s.window.start);
    });
    attention = Object.freeze({ rows: textSteps.length, cols: encoderFrames, data });
  }

  const attended = steps.reduce((sum, s) => sum + (s.window.end - s.window.start), 0);
  return {
    // The decoder may emit stray spaces; the text contract has single inner spaces only.
    text: vocab.decode(textSteps.map(({ s }) => s.token)).replace(/ +/g, ' ').trim(),
    ids: textSteps.map(({ s }) => s.token),
    tokens,
    words,
    framesAttendedPerToken: steps.length === 0 ? 0 : attended / steps.length,
    attention,
  };
}
