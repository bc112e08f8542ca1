/**
 * One-pass CTC prefix scoring (Watanabe et al. 2017, "Hybrid CTC/Attention Architecture for
 * End-to-End Speech Recognition", IEEE JSTSP 11(8), section IV-B and Algorithm 2).
 *
 * For a label prefix g the scorer keeps two forward variables over the encoder frames:
 *   nonBlank[t] = log P(the first t+1 frames emit exactly g, the last frame emitting g's last label)
 *   blank[t]    = log P(the first t+1 frames emit exactly g, the last frame emitting <blank>)
 * The prefix probability psi(g + c) = P(g + c is a prefix of the labelling) follows from them
 * in one pass over the frames, and psi(g + <eos>) = P(the labelling is exactly g) =
 * nonBlank[T-1] + blank[T-1] (log-added). psi only falls as a prefix grows, so the difference
 * psi(g + c) - psi(g) is a log probability of c given g, which the joint search adds to the
 * attention decoder's with weights lambda and 1 - lambda.
 */

const NEG_INF = Number.NEGATIVE_INFINITY;

/** log(exp(a) + exp(b)) without overflow; -Infinity is the log of zero. */
export function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** The forward variables of one prefix. Immutable once made, so beams share them freely. */
export interface CtcPrefixState {
  /** Last label of the prefix; -1 for the empty prefix. */
  readonly last: number;
  readonly nonBlank: Float64Array; // [T]
  readonly blank: Float64Array; // [T]
  /** log psi(prefix); 0 for the empty prefix. */
  readonly score: number;
  /** Frames before this one have probability 0 in both variables (the loops start here). */
  readonly first: number;
}

export interface CtcPrefixScorer {
  readonly frames: number;
  readonly vocabSize: number;
  /** The empty prefix (<sos> only). */
  initial(): CtcPrefixState;
  /**
   * log psi(prefix + c) for every label c into `out` [V]: `eosId` gets the whole-labelling
   * probability, `blankId` and every id in `skip` get -Infinity.
   */
  scoreAll(state: CtcPrefixState, skip: readonly number[], out: Float64Array): Float64Array;
  /** The state of prefix + `token` (`token` not <blank>; <eos> ends the prefix and returns it unchanged but for its score). */
  extend(state: CtcPrefixState, token: number): CtcPrefixState;
}

/**
 * Frame posteriors below this (log) are left out of psi(g + c) = sum_t phi(t - 1) p_t(c). CTC
 * posteriors are spiky, so most labels are this unlikely on most frames, and leaving them out
 * makes scoring every label cost O(spikes) instead of O(T x V). It can only lower a score: the
 * terms dropped for a label sum to at most T e^threshold psi(g), so a label whose psi(g + c) /
 * psi(g) is far above T e^-20 (about 2e-6 for 1000 frames) keeps its exact score to many
 * digits, and one below it is hopeless anyway. The forward variables of a kept hypothesis
 * (extend) are always exact.
 */
export const CTC_PRUNE_LOG_PROB = -20;

/**
 * `logProbs` [T, V] are per-frame CTC log posteriors (log-softmax of ctc_logits). `blankId` and
 * `eosId` are the vocabulary's <blank> and <eos>. `pruneLogProb` is CTC_PRUNE_LOG_PROB unless a
 * test wants exact sums (-Infinity).
 */
export function createCtcPrefixScorer(
  logProbs: Float32Array,
  frames: number,
  vocabSize: number,
  blankId: number,
  eosId: number,
  pruneLogProb: number = CTC_PRUNE_LOG_PROB,
): CtcPrefixScorer {
  if (logProbs.length < frames * vocabSize) throw new RangeError(`CTC log probabilities hold ${logProbs.length} values, ${frames} frames need ${frames * vocabSize}`);
  const x = (t: number, c: number) => logProbs[t * vocabSize + c];
  // The frames where each label is likely enough to count, in CSR form: label c's frames are
  // spikeFrames[spikeStart[c] .. spikeStart[c + 1]), ascending.
  const spikeStart = new Int32Array(vocabSize + 1);
  for (let t = 0; t < frames; t++) for (let c = 0; c < vocabSize; c++) if (x(t, c) > pruneLogProb) spikeStart[c + 1]++;
  for (let c = 0; c < vocabSize; c++) spikeStart[c + 1] += spikeStart[c];
  const spikeFrames = new Int32Array(spikeStart[vocabSize]);
  const fill = spikeStart.slice(0, vocabSize);
  for (let t = 0; t < frames; t++) for (let c = 0; c < vocabSize; c++) if (x(t, c) > pruneLogProb) spikeFrames[fill[c]++] = t;
  // phi[t] for a label other than the prefix's last: log P(prefix emitted by frame t, either ending).
  const phi = new Float64Array(Math.max(frames, 1));

  const initial = (): CtcPrefixState => {
    const nonBlank = new Float64Array(frames).fill(NEG_INF);
    const blank = new Float64Array(frames);
    let sum = 0;
    for (let t = 0; t < frames; t++) {
      sum += x(t, blankId);
      blank[t] = sum;
    }
    return Object.freeze({ last: -1, nonBlank, blank, score: 0, first: 0 });
  };

  return {
    frames,
    vocabSize,
    initial,
    scoreAll(state, skip, out) {
      out.fill(NEG_INF);
      if (frames === 0) return out;
      const empty = state.last < 0;
      for (let t = state.first; t < frames; t++) phi[t] = logAdd(state.blank[t], state.nonBlank[t]);
      // Label c first emitted at frame t >= 1 continues the prefix as it stood at t - 1 (a
      // repeat of the last label must come after a blank); at t = 0 only the empty prefix.
      const from = empty ? 1 : state.first + 1;
      for (let c = 0; c < vocabSize; c++) {
        if (c === blankId) continue;
        const before = c === state.last ? state.blank : phi;
        let psi = NEG_INF;
        for (let i = spikeStart[c]; i < spikeStart[c + 1]; i++) {
          const t = spikeFrames[i];
          if (t === 0 && empty) psi = logAdd(psi, x(0, c));
          else if (t >= from) psi = logAdd(psi, before[t - 1] + x(t, c));
        }
        out[c] = psi;
      }
      out[eosId] = logAdd(state.nonBlank[frames - 1], state.blank[frames - 1]);
      for (const s of skip) if (s !== eosId) out[s] = NEG_INF;
      return out;
    },
    extend(state, token) {
      if (token === eosId) return Object.freeze({ ...state, score: frames === 0 ? NEG_INF : logAdd(state.nonBlank[frames - 1], state.blank[frames - 1]) });
      const nonBlank = new Float64Array(frames).fill(NEG_INF);
      const blank = new Float64Array(frames).fill(NEG_INF);
      if (frames === 0) return Object.freeze({ last: token, nonBlank, blank, score: NEG_INF, first: 0 });
      const empty = state.last < 0;
      let score = NEG_INF;
      if (empty) {
        nonBlank[0] = x(0, token);
        score = nonBlank[0];
      }
      const first = empty ? 0 : state.first + 1;
      for (let t = Math.max(1, first); t < frames; t++) {
        const p = token === state.last ? state.blank[t - 1] : logAdd(state.blank[t - 1], state.nonBlank[t - 1]);
        const xc = x(t, token);
        nonBlank[t] = logAdd(nonBlank[t - 1], p) + xc;
        blank[t] = logAdd(blank[t - 1], nonBlank[t - 1]) + x(t, blankId);
        score = logAdd(score, p + xc);
      }
      return Object.freeze({ last: token, nonBlank, blank, score, first: Math.min(first, frames - 1) });
    },
  };
}

/** Per-frame log-softmax of CTC logits [T, V] (float32 in, float32 out). */
export function ctcLogSoftmax(logits: Float32Array, frames: number, vocabSize: number): Float32Array {
  const out = new Float32Array(frames * vocabSize); // [T, V]
  for (let t = 0; t < frames; t++) {
    const base = t * vocabSize;
    let max = NEG_INF;
    for (let v = 0; v < vocabSize; v++) if (logits[base + v] > max) max = logits[base + v];
    let sum = 0;
    for (let v = 0; v < vocabSize; v++) sum += Math.exp(logits[base + v] - max);
    const logZ = max + Math.log(sum);
    for (let v = 0; v < vocabSize; v++) out[base + v] = logits[base + v] - logZ;
  }
  return out;
}
