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
 * Joint CTC/attention: each token scores (1 - weight) * log p_att(c | g) + weight *
 * (log psi(g + c) - log psi(g)), where psi is the CTC prefix probability; <eos> is scored by
 * CTC as the probability that g is the whole labelling, so a hypothesis cannot end while frames
 * remain unexplained. A weight of 1 is CTC prefix search with the decoder only naming tokens.
 */
export function jointCtcScorer(ctc: CtcPrefixScorer, weight: number, skip: readonly number[]): HypothesisScorer {
  const prefix = new Float64Array(ctc.vocabSize);
  return {
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
}

/** The joint scorer over one utterance's CTC log posteriors [frames, V]. */
export function ctcScorerFor(logProbs: Float32Array, frames: number, vocabSize: number, weight: number, ids: { blank: number; eos: number; skip: readonly number[] }): HypothesisScorer {
  return jointCtcScorer(createCtcPrefixScorer(logProbs, frames, vocabSize, ids.blank, ids.eos), weight, ids.skip);
}
