import { wordsOf, type TimedToken, type TimedWord } from './alignment.ts';
import { ctcForcedAlign } from './ctcAlignment.ts';

/** Where the user-facing token and word times come from. The list exists once. */
export const TIMESTAMP_SOURCES = ['ctc', 'attention'] as const;
export type TimestampSource = (typeof TIMESTAMP_SOURCES)[number];

export function isTimestampSource(name: unknown): name is TimestampSource {
  return typeof name === 'string' && (TIMESTAMP_SOURCES as readonly string[]).includes(name);
}

/** CTC log posteriors of one utterance, as the decoder got them. */
export interface CtcPosteriors {
  readonly logProbs: Float32Array; // [frames, vocabSize]
  readonly frames: number;
  readonly vocabSize: number;
  readonly blankId: number;
}

/**
 * How much later than its sound the CTC head marks a character: the median by which the end of
 * a word's last spike frame follows the end of the word's sound. Measured by bench/timestamps.ts
 * on its calibration sentences (about the first 20 of each validation voice: 226 words right,
 * both modes: 45 ms); README "Subtitles" reports the next 20 of each voice.
 */
export const CTC_EMISSION_LAG_SECONDS = 0.045;

/**
 * How long a word's sound starts before its first character's spike, on top of the lag: a
 * spike marks the middle of a character's sound, not its start. Same calibration (start bias
 * 96 ms = 45 ms lag + 51 ms).
 */
export const CTC_WORD_ONSET_SECONDS = 0.05;

/**
 * The decoded tokens retimed by CTC forced alignment (ctcAlignment.ts) of their ids: each token
 * runs from the first frame its path spends on it to the end of the last one, moved earlier by
 * CTC_EMISSION_LAG_SECONDS (clipped at 0, so only a character on the first frame can lose its
 * length). Undefined when no CTC path spells them (more characters than frames allow, or every
 * path has probability 0): the caller keeps the attention times then.
 */
export function ctcTimedTokens(tokens: readonly TimedToken[], ctc: CtcPosteriors, frameSeconds: number): TimedToken[] | undefined {
  const aligned = ctcForcedAlign(ctc.logProbs, ctc.frames, ctc.vocabSize, tokens.map((t) => t.id), ctc.blankId);
  if (!aligned.ok) return undefined;
  return tokens.map((t, i) => {
    const span = aligned.spans[i];
    // One shift for every time, clipped at 0: order and non-overlap are kept.
    const shifted = (frame: number) => Math.max(0, frame * frameSeconds - CTC_EMISSION_LAG_SECONDS);
    return Object.freeze({ token: t.token, id: t.id, start: shifted(span.first), end: shifted(span.last + 1) });
  });
}

/**
 * Words of CTC-timed tokens: each from CTC_WORD_ONSET_SECONDS before its first character
 * (never before 0 nor before the previous word's end) to its last character's end. Spans stay in
 * order and never overlap, since the tokens' spans do not.
 */
export function ctcTimedWords(tokens: readonly TimedToken[]): TimedWord[] {
  let previousEnd = 0;
  return wordsOf(tokens).map((w) => {
    const start = Math.min(w.start, Math.max(previousEnd, w.start - CTC_WORD_ONSET_SECONDS));
    previousEnd = w.end;
    return Object.freeze({ ...w, start });
  });
}
