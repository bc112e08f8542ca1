/**
 * CTC forced alignment: the single most probable CTC path (Viterbi) that spells a given label
 * sequence, over per-frame CTC log posteriors. It answers where in the audio each decoded
 * character was emitted, as the frames its path spends on that character: CTC posteriors are
 * peaky (a character holds one or two frames, blanks fill the rest), so these frames mark the
 * character sharply, where the attention decoder's weights only say where it was looking.
 *
 * The path runs over the labels with a blank before, between and after them (2L + 1 states,
 * Graves et al. 2006, section 4.1): at each frame it stays, moves to the next state, or skips
 * a blank between two different labels. Two equal labels in a row need a blank frame between
 * them (otherwise CTC would merge them into one), so L labels need L + (adjacent repeats)
 * frames at least.
 */

const NEG_INF = Number.NEGATIVE_INFINITY;

/** The encoder frames [first, last] (inclusive) that the best path spends on one label. */
export interface LabelSpan {
  readonly first: number;
  readonly last: number;
}

export type CtcAlignment =
  | {
      readonly ok: true;
      /** One span per label, in order; spans never overlap and are in order. */
      readonly spans: readonly LabelSpan[];
      /** Log probability of the best path. */
      readonly logProb: number;
    }
  | {
      readonly ok: false;
      /** Why no path spells the labels: too few frames, a label that is blank or out of range, or every path has probability 0. */
      readonly reason: string;
    };

/**
 * The most frames x states one alignment may take: its back-pointers hold a byte per cell, so
 * 50 M cells are 50 MB (about 400 s of one utterance spelling 2,500 characters). Segmented
 * transcription cuts a recording into utterances of at most 20 s, far below it; one-utterance
 * decoding of a longer recording gets `ok: false` (and keeps its attention times) instead of
 * an allocation that grows with the square of its length.
 */
export const MAX_ALIGNMENT_CELLS = 50_000_000;

export interface ForcedAlignOptions {
  /** Default MAX_ALIGNMENT_CELLS. */
  readonly maxCells?: number;
}

/** The fewest frames that can spell `labels`: one per label, plus a blank between equal neighbours. */
export function minimumCtcFrames(labels: readonly number[]): number {
  let repeats = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) repeats++;
  return labels.length + repeats;
}

/**
 * The best CTC path for `labels` over `logProbs` [frames, vocabSize] (log-softmax of the CTC
 * logits). An impossible alignment is a result with `ok: false` and a reason, not an error:
 * callers keep another source of times. Only a buffer shorter than frames x vocabSize throws
 * (a RangeError: the caller's bug).
 */
export function ctcForcedAlign(logProbs: Float32Array, frames: number, vocabSize: number, labels: readonly number[], blankId: number, options: ForcedAlignOptions = {}): CtcAlignment {
  if (logProbs.length < frames * vocabSize) throw new RangeError(`CTC log probabilities hold ${logProbs.length} values, ${frames} frames need ${frames * vocabSize}`);
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= vocabSize || l === blankId);
  if (bad >= 0) return { ok: false, reason: `label ${bad} (id ${labels[bad]}) is ${labels[bad] === blankId ? 'the blank' : `not in the vocabulary of ${vocabSize}`}` };
  const needed = minimumCtcFrames(labels);
  if (frames < needed) return { ok: false, reason: `${frames} frames cannot spell ${labels.length} labels (they need ${needed})` };
  if (labels.length === 0) {
    let logProb = 0;
    for (let t = 0; t < frames; t++) logProb += logProbs[t * vocabSize + blankId];
    return logProb === NEG_INF || Number.isNaN(logProb) ? { ok: false, reason: 'no path of blanks has a probability above 0' } : { ok: true, spans: [], logProb };
  }

  const states = 2 * labels.length + 1; // even s: blank; odd s: labels[(s - 1) / 2]
  const maxCells = options.maxCells ?? MAX_ALIGNMENT_CELLS;
  if (frames * states > maxCells) return { ok: false, reason: `${frames} frames x ${states} states is more than the ${maxCells} cells one alignment may take` };
  const labelOf = (s: number) => (s % 2 === 0 ? blankId : labels[(s - 1) >> 1]);
  // A state may be entered from two back when it is a label different from the label before the blank between them.
  const canSkip = new Uint8Array(states);
  for (let s = 3; s < states; s += 2) canSkip[s] = labelOf(s) !== labelOf(s - 2) ? 1 : 0;
  let previous = new Float64Array(states).fill(NEG_INF);
  let current = new Float64Array(states);
  const back = new Uint8Array(frames * states); // [frames, states]: how many states back the best path came from
  previous[0] = logProbs[blankId];
  previous[1] = logProbs[labels[0]];
  for (let t = 1; t < frames; t++) {
    const row = t * vocabSize;
    // Only states that can still reach the end in the frames left, and that can be reached by now.
    const lowest = Math.max(0, states - 2 * (frames - t));
    const highest = Math.min(states - 1, 2 * t + 1);
    current.fill(NEG_INF);
    for (let s = lowest; s <= highest; s++) {
      let best = previous[s];
      let step = 0;
      if (s >= 1 && previous[s - 1] > best) [best, step] = [previous[s - 1], 1];
      if (canSkip[s] === 1 && previous[s - 2] > best) [best, step] = [previous[s - 2], 2];
      if (best === NEG_INF) continue;
      current[s] = best + logProbs[row + labelOf(s)];
      back[t * states + s] = step;
    }
    [previous, current] = [current, previous];
  }

  // The path ends on the last label or the blank after it.
  let s = previous[states - 1] >= previous[states - 2] ? states - 1 : states - 2;
  const logProb = previous[s];
  if (!(logProb > NEG_INF)) return { ok: false, reason: `no path of ${frames} frames spells the ${labels.length} labels with a probability above 0` };
  const first = new Int32Array(labels.length).fill(-1);
  const last = new Int32Array(labels.length).fill(-1);
  for (let t = frames - 1; t >= 0; t--) {
    if (s % 2 === 1) {
      const k = (s - 1) >> 1;
      first[k] = t;
      if (last[k] < 0) last[k] = t;
    }
    if (t > 0) s -= back[t * states + s];
  }
  const spans: LabelSpan[] = [];
  for (let k = 0; k < labels.length; k++) spans.push(Object.freeze({ first: first[k], last: last[k] }));
  return { ok: true, spans, logProb };
}
