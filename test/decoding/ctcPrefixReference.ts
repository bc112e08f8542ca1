import { CTC_WINDOW_LOG_PROB, logAdd } from '../../src/decoding/ctcPrefix.ts';

/**
 * The CTC prefix scorer as it was first written (src/decoding/ctcPrefix.ts at a132c1d): it keeps
 * both forward variables per state, in logs, and recomputes phi = logAdd(blank, nonBlank)
 * wherever it is needed. The scorer in src/ was rewritten for speed, first doing the same
 * operations once each (bit-identical), then in probabilities with a scale per state (2f272c1);
 * ctcPrefix.test.ts checks that the two agree to 1e-9 relative, which keeps the default
 * decoding's transcripts unchanged (its token scores are float32).
 */

const NEG_INF = Number.NEGATIVE_INFINITY;

/** A state of the reference: both forward variables over its window, frozen copies. */
export interface ReferenceState {
  readonly last: number;
  readonly first: number;
  readonly end: number;
  readonly nonBlank: Float64Array;
  readonly blank: Float64Array;
  readonly score: number;
}

export interface ReferenceScorer {
  initial(): ReferenceState;
  scoreAll(state: ReferenceState, skip: readonly number[], out: Float64Array): Float64Array;
  extend(state: ReferenceState, token: number): ReferenceState;
}

/** The scorer as first written (a132c1d), with the same arguments as createCtcPrefixScorer. */
export function referenceCtcPrefixScorer(logProbs: Float32Array, frames: number, vocabSize: number, blankId: number, eosId: number, pruned = true): ReferenceScorer {
  if (logProbs.length < frames * vocabSize) throw new RangeError(`CTC log probabilities hold ${logProbs.length} values, ${frames} frames need ${frames * vocabSize}`);
  const windowPrune = pruned ? CTC_WINDOW_LOG_PROB : NEG_INF;
  const x = (t: number, c: number) => logProbs[t * vocabSize + c];
  // Frame posteriors as probabilities [T, V]: scoring every label of a prefix is then a sum of
  // products over the prefix's frames, with no log or exp in the inner loop.
  const probs = new Float64Array(frames * vocabSize);
  for (let i = 0; i < probs.length; i++) probs[i] = Math.exp(logProbs[i]);
  const sums = new Float64Array(vocabSize);
  // Scratch for one prefix's forward variables before they are cut to their window.
  const scratchNonBlank = new Float64Array(Math.max(frames, 1));
  const scratchBlank = new Float64Array(Math.max(frames, 1));
  const phi = new Float64Array(Math.max(frames, 1));
  const at = (values: Float64Array, state: ReferenceState, t: number) => (t >= state.first && t < state.end ? values[t - state.first] : NEG_INF);
  const wholeLabelling = (state: ReferenceState) => (state.end === frames && frames > 0 ? logAdd(at(state.nonBlank, state, frames - 1), at(state.blank, state, frames - 1)) : NEG_INF);

  /** Keeps frames [first, t) of the scratch as a state. */
  const freeze = (last: number, first: number, end: number, score: number): ReferenceState =>
    Object.freeze({ last, first, end, nonBlank: scratchNonBlank.slice(first, end), blank: scratchBlank.slice(first, end), score });

  const initial = (): ReferenceState => {
    let sum = 0;
    let t = 0;
    for (; t < frames; t++) {
      sum += x(t, blankId);
      scratchNonBlank[t] = NEG_INF;
      scratchBlank[t] = sum;
      if (sum < windowPrune) break; // the peak of the empty prefix is 0 (nothing emitted before frame 0)
    }
    return freeze(-1, 0, Math.min(frames, t + 1), 0);
  };

  return {
    initial,
    scoreAll(state, skip, out) {
      out.fill(NEG_INF);
      if (frames === 0) return out;
      const empty = state.last < 0;
      // psi(g + c) = sum_t phi(t - 1) p_t(c), phi being the prefix's probability by frame t - 1
      // (for a repeat of its last label, only the paths ending in a blank). In probabilities
      // scaled by the largest phi, so that nothing underflows that could matter.
      let ref = NEG_INF;
      for (let t = state.first; t < state.end; t++) {
        phi[t] = logAdd(at(state.blank, state, t), at(state.nonBlank, state, t));
        if (phi[t] > ref) ref = phi[t];
      }
      sums.fill(0);
      if (ref !== NEG_INF) {
        const same = state.last;
        // Label c first emitted at frame t >= 1 continues the prefix as it stood at t - 1; at
        // t = 0 only the empty prefix (whose probability before frame 0 is 1).
        const from = empty ? 1 : state.first + 1;
        const to = Math.min(frames - 1, state.end);
        for (let t = from; t <= to; t++) {
          const any = Math.exp(phi[t - 1] - ref);
          const base = t * vocabSize;
          for (let c = 0; c < vocabSize; c++) sums[c] += any * probs[base + c];
          if (same >= 0) sums[same] += (Math.exp(at(state.blank, state, t - 1) - ref) - any) * probs[base + same];
        }
      }
      for (let c = 0; c < vocabSize; c++) {
        let psi = sums[c] > 0 ? ref + Math.log(sums[c]) : NEG_INF;
        if (empty) psi = logAdd(psi, x(0, c));
        out[c] = psi;
      }
      out[blankId] = NEG_INF;
      out[eosId] = wholeLabelling(state);
      for (const s of skip) if (s !== eosId) out[s] = NEG_INF;
      return out;
    },
    extend(state, token) {
      if (token === eosId) return Object.freeze({ ...state, score: wholeLabelling(state) });
      const empty = state.last < 0;
      const first = empty ? 0 : state.first + 1;
      if (first >= frames) return Object.freeze({ last: token, first: frames, end: frames, nonBlank: new Float64Array(0), blank: new Float64Array(0), score: NEG_INF });
      const inflowEnd = state.end + 1; // frame t takes inflow from the parent's frame t - 1
      let score = NEG_INF;
      let nonBlank = empty ? x(0, token) : NEG_INF;
      let blank = NEG_INF;
      let peak = NEG_INF;
      let t = first;
      if (empty) {
        score = nonBlank;
        scratchNonBlank[0] = nonBlank;
        scratchBlank[0] = NEG_INF;
        peak = nonBlank;
        t = 1;
      }
      for (; t < frames; t++) {
        const inflow = t < inflowEnd ? (token === state.last ? at(state.blank, state, t - 1) : logAdd(at(state.blank, state, t - 1), at(state.nonBlank, state, t - 1))) : NEG_INF;
        const xc = x(t, token);
        const nb = logAdd(nonBlank, inflow) + xc;
        const b = logAdd(blank, nonBlank) + x(t, blankId);
        nonBlank = nb;
        blank = b;
        scratchNonBlank[t] = nb;
        scratchBlank[t] = b;
        score = logAdd(score, inflow + xc);
        const mass = logAdd(nb, b);
        if (mass > peak) peak = mass;
        if (t >= inflowEnd && mass < peak + windowPrune) {
          t++;
          break;
        }
      }
      return freeze(token, first, Math.min(frames, t), score);
    },
  };
}
