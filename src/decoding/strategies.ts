/**
 * The small pieces a search is assembled from (STYLE.md item 7): which tokens may follow a
 * hypothesis, how finished hypotheses are ranked, and when a hypothesis ends.
 */

/** A proposed next token for one hypothesis. */
export interface Candidate {
  readonly token: number;
  readonly logProb: number;
}

export interface TokenSelector {
  /** At most this many candidates per row. */
  readonly k: number;
  /** Candidates from one row of log-probabilities, best first. */
  select(logProbs: Float32Array): Candidate[];
}

export interface BeamRanker {
  /** Higher is better. */
  score(logProb: number, length: number): number;
  /**
   * The best score a live hypothesis could still reach by ending at some length up to
   * `maxLength` (log probabilities only fall as it grows). Once a finished hypothesis scores
   * at least this for every live one, searching on cannot change the answer.
   */
  bestReachable(logProb: number, length: number, maxLength: number): number;
}

export interface EndDetector {
  /** The output-length cap. */
  readonly maxLength: number;
  /** Whether a hypothesis that has just emitted `token` as its `length`-th token is finished. */
  isEnd(token: number, length: number): boolean;
}

/** Log-softmax of row `row` of `logits` [B, V] into `out` [V]; `banned` tokens get -Infinity. */
export function logSoftmaxRow(logits: Float32Array, row: number, vocabSize: number, banned: readonly number[], out: Float32Array): Float32Array {
  const base = row * vocabSize;
  for (let v = 0; v < vocabSize; v++) out[v] = logits[base + v];
  for (const t of banned) out[t] = Number.NEGATIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < vocabSize; v++) if (out[v] > max) max = out[v];
  let sum = 0;
  for (let v = 0; v < vocabSize; v++) sum += Math.exp(out[v] - max);
  const logZ = max + Math.log(sum);
  for (let v = 0; v < vocabSize; v++) out[v] -= logZ;
  return out;
}

/** The k most probable tokens, best first; ties go to the lower id so results are reproducible. */
export function topKSelector(k: number): TokenSelector {
  // The best so far, best first, in scratch arrays: objects only for the k that are returned.
  const tokens = new Int32Array(k);
  const values = new Float64Array(k);
  return {
    k,
    select(logProbs) {
      let picked = 0;
      for (let v = 0; v < logProbs.length; v++) {
        const lp = logProbs[v];
        if (lp === Number.NEGATIVE_INFINITY || Number.isNaN(lp)) continue;
        if (picked === k && lp <= values[k - 1]) continue;
        let at = Math.min(picked, k - 1);
        while (at > 0 && values[at - 1] < lp) at--;
        // Shift the worse ones down one place (the k-th falls off when all k are taken).
        for (let i = Math.min(picked, k - 1); i > at; i--) {
          tokens[i] = tokens[i - 1];
          values[i] = values[i - 1];
        }
        tokens[at] = v;
        values[at] = lp;
        if (picked < k) picked++;
      }
      const out: Candidate[] = [];
      for (let i = 0; i < picked; i++) out.push({ token: tokens[i], logProb: values[i] });
      return out;
    },
  };
}

/** Greedy search: only the single most probable token. */
export const greedySelector: TokenSelector = topKSelector(1);

/** logProb / length ** alpha: alpha 0 keeps raw log probability, 1 averages it per token. */
export function lengthNormalisedRanker(alpha: number): BeamRanker {
  const score = (logProb: number, length: number) => (alpha === 0 || length === 0 ? logProb : logProb / length ** alpha);
  return {
    score,
    // logProb <= 0 can only fall, and dividing it by the largest length gives the largest quotient.
    bestReachable: (logProb, length, maxLength) => score(logProb, Math.max(length + 1, maxLength)),
  };
}

/** Ends on <eos> or when the output-length cap is reached. */
export function eosOrMaxLength(eosId: number, maxLength: number): EndDetector {
  return { maxLength, isEnd: (token, length) => token === eosId || length >= maxLength };
}
