import { createCtcPrefixScorer, type CtcPrefixScorer, type CtcPrefixState } from './ctcPrefix.ts';

/**
 * How a hypothesis's next tokens are scored (STYLE.md item 7): the attention decoder alone, or
 * joint CTC/attention (Watanabe et al. 2017, eq. 43: lambda log p_ctc + (1 - lambda) log p_att).
 * The scorer's state per hypothesis is a value the search carries and forks, never mutated.
 */
export interface HypothesisScorer {
  /** State of the empty hypothesis (<sos> only). */
  init(): unknown;
  /**
   * Scores of each next token into `out` [V], from the decoder's log-probabilities `attention`
   * [V] (banned tokens already -Infinity there, and they stay so).
   */
  score(state: unknown, attention: Float32Array, out: Float32Array): Float32Array;
  /** The state after `token` is appended. */
  advance(state: unknown, token: number): unknown;
  /**
   * Pruned scoring, for a search that needs only a few tokens' exact scores (see
   * candidateMerge.ts): an upper bound of score()'s value for every token into `out` [V]
   * (never below score()'s value; -Infinity only where score() gives -Infinity; NaN where it
   * cannot say), cheaper
   * than score() because the costly terms are bounded, not computed. The scorer remembers the
   * state and `attention` (which must not change meanwhile) under `slot` for exact(). Absent:
   * the search calls score().
   */
  bound?(state: unknown, attention: Float32Array, slot: number, out: Float32Array): Float32Array;
  /** score()'s value for `token` (bit for bit, as float32), for the last bound() of `slot`. */
  exact?(slot: number, token: number): number;
}

/** The attention decoder's log-probabilities as they are (ctc weight 0). */
export const attentionScorer: HypothesisScorer = {
  init: () => undefined,
  score: (_state, attention, out) => {
    out.set(attention);
    return out;
  },
  advance: () => undefined,
};

/**
 * What bound() assumes a token's CTC term, log psi(g + c) - log psi(g), to be at most. It is
 * at most 0 (psi only falls as the prefix grows), but psi(g + c) and psi(g) are summed along
 * different paths, so when c is all but certain the two can differ by a few roundings (about
 * 1e-15 relative) either way; this leaves a million times that.
 */
export const CTC_TERM_BOUND = 1e-9;

/**
 * Joint CTC/attention: each token scores (1 - weight) * log p_att(c | g) + weight *
 * (log psi(g + c) - log psi(g)), where psi is the CTC prefix probability; <eos> is scored by
 * CTC as the probability that g is the whole labelling, so a hypothesis cannot end while frames
 * remain unexplained. A weight of 1 is CTC prefix search with the decoder only naming tokens.
 *
 * bound() and exact() are given when `ctc` can score one label (scoreLabel): the CTC term,
 * which costs a pass over the prefix's frames for every token, is then bounded by
 * CTC_TERM_BOUND and summed only for the tokens the search asks about.
 */
export function jointCtcScorer(ctc: CtcPrefixScorer, weight: number, skip: readonly number[]): HypothesisScorer {
  const prefix = new Float64Array(ctc.vocabSize);
  const scorer: HypothesisScorer = {
    init: () => ctc.initial(),
    score(state, attention, out) {
      const s = state as CtcPrefixState;
      ctc.scoreAll(s, skip, prefix);
      for (let c = 0; c < out.length; c++) {
        const a = attention[c];
        const p = prefix[c];
        out[c] = a === Number.NEGATIVE_INFINITY || p === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : (1 - weight) * a + weight * (p - s.score);
      }
      return out;
    },
    advance: (state, token) => ctc.extend(state as CtcPrefixState, token),
  };
  if (typeof ctc.scoreLabel !== 'function') return scorer;
  const states: CtcPrefixState[] = [];
  const attentions: Float32Array[] = [];
  // (1 - w) a + w d rises with d, and so does its rounding to float32: with d at its bound the
  // value is at least what score() stores for the token.
  const gain = weight * CTC_TERM_BOUND;
  return {
    ...scorer,
    bound(state, attention, slot, out) {
      states[slot] = state as CtcPrefixState;
      attentions[slot] = attention;
      for (let c = 0; c < out.length; c++) {
        const a = attention[c];
        out[c] = a === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : (1 - weight) * a + gain;
      }
      return out;
    },
    exact(slot, token) {
      const s = states[slot];
      const a = attentions[slot][token];
      const p = ctc.scoreLabel(s, token, skip);
      return a === Number.NEGATIVE_INFINITY || p === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : Math.fround((1 - weight) * a + weight * (p - s.score));
    },
  };
}

/** The joint scorer over one utterance's CTC log posteriors [frames, V]. */
export function ctcScorerFor(logProbs: Float32Array, frames: number, vocabSize: number, weight: number, ids: { blank: number; eos: number; skip: readonly number[] }): HypothesisScorer {
  return jointCtcScorer(createCtcPrefixScorer(logProbs, frames, vocabSize, ids.blank, ids.eos), weight, ids.skip);
}
