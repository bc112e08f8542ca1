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

/**
 * The forward variables of one prefix over frames [first, end); before and after they are
 * probability 0 (before: the prefix cannot have been emitted yet; after: see
 * CTC_WINDOW_LOG_PROB). Immutable once made, so beams share them freely.
 *
 * The state keeps blank[t] and their sum phi[t] = P(the first t+1 frames emit exactly g), not
 * nonBlank[t]: scoring the prefix's next labels and extending it only ever read phi (and blank,
 * for a repeat of the last label), so phi is computed once, while the state is made, instead of
 * once per use. They are probabilities, not logs, divided by the largest phi (so the largest is
 * 1): within one prefix's window they span far less than a double's range, and both scoring and
 * extending are then sums of products, with no log or exp per frame.
 */
export interface CtcPrefixState {
  /** Last label of the prefix; -1 for the empty prefix. */
  readonly last: number;
  readonly first: number;
  readonly end: number;
  readonly blank: Float64Array; // [end - first], frame first + i at i, over e^peak
  readonly phi: Float64Array; // [end - first], blank + nonBlank, over e^peak
  /** log of the largest phi (-Infinity for an empty window, whose values are all 0): the scale. */
  readonly peak: number;
  /** log psi(prefix); 0 for the empty prefix. */
  readonly score: number;
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
  /**
   * scoreAll(state, skip)'s value for `label` alone, bit for bit, at the cost of that one
   * label's sum: what a search that prunes its candidates asks for.
   */
  scoreLabel(state: CtcPrefixState, label: number, skip: readonly number[]): number;
  /** The state of prefix + `token` (`token` not <blank>; <eos> ends the prefix and returns it unchanged but for its score). */
  extend(state: CtcPrefixState, token: number): CtcPrefixState;
}

/**
 * Where a prefix's forward variables end. Without inflow from its parent, the probability that
 * exactly the prefix has been emitted by frame t only falls with t (each frame adds a blank or
 * repeats the last label, or leaves the prefix for good), so once it is this far (log) below
 * its peak, past the parent's own end, the rest is treated as 0. The search then costs the span
 * where a prefix is alive (a few hundred ms for a character) instead of the whole utterance.
 * It can only lower scores, by at most a factor 1 + e^-30 T of the peak.
 */
export const CTC_WINDOW_LOG_PROB = -30;

const EMPTY = new Float64Array(0);

/** Values per block of state variables (see createCtcPrefixScorer's keep): 64 KB, a few per utterance. */
const STATE_BLOCK_VALUES = 8192;

/**
 * `logProbs` [T, V] are per-frame CTC log posteriors (log-softmax of ctc_logits). `blankId` and
 * `eosId` are the vocabulary's <blank> and <eos>. `pruned` false gives exact sums (tests).
 *
 * The search calls scoreAll and extend once per hypothesis and step, so they are written as
 * plain loops over typed arrays (no closures per frame, no frozen copies).
 */
export function createCtcPrefixScorer(logProbs: Float32Array, frames: number, vocabSize: number, blankId: number, eosId: number, pruned = true): CtcPrefixScorer {
  if (logProbs.length < frames * vocabSize) throw new RangeError(`CTC log probabilities hold ${logProbs.length} values, ${frames} frames need ${frames * vocabSize}`);
  const windowPrune = pruned ? CTC_WINDOW_LOG_PROB : NEG_INF;
  // [T, V] as doubles (the same values as the float32 input), read in the inner loops.
  const x = Float64Array.from(logProbs.subarray(0, frames * vocabSize));
  // Frame posteriors as probabilities [T, V]: scoring and extending a prefix are sums of
  // products over its frames.
  const probs = new Float64Array(frames * vocabSize);
  for (let i = 0; i < probs.length; i++) probs[i] = Math.exp(x[i]);
  const pruneRatio = Math.exp(windowPrune); // 0 without pruning
  const sums = new Float64Array(vocabSize);
  // Scratch for one prefix's forward variables before they are cut to their window.
  const scratchBlank = new Float64Array(Math.max(frames, 1));
  const scratchPhi = new Float64Array(Math.max(frames, 1));
  // log phi[T - 1], the probability that the labelling is exactly the prefix.
  const wholeLabelling = (state: CtcPrefixState) => {
    if (!(state.end === frames && frames > 0 && state.first < frames)) return NEG_INF;
    const p = state.phi[frames - 1 - state.first];
    return p > 0 ? state.peak + Math.log(p) : NEG_INF;
  };

  // States' variables are views into shared blocks rather than arrays of their own: a typed
  // array this size gets a backing store of its own, which costs far more to make and collect
  // than a view. A block is freed once no state viewing it is left.
  const blockSize = Math.max(STATE_BLOCK_VALUES, 2 * frames);
  let block = new Float64Array(0);
  let used = 0;
  /** Keeps frames [first, end) of the scratch, divided by `largest`, as a state whose scale is e^peak. */
  const keep = (last: number, first: number, end: number, largest: number, peak: number, score: number): CtcPrefixState => {
    const n = end - first;
    if (used + 2 * n > block.length) {
      block = new Float64Array(blockSize);
      used = 0;
    }
    const at = used;
    const inverse = largest > 0 ? 1 / largest : 0;
    for (let i = 0; i < n; i++) {
      block[at + i] = scratchBlank[first + i] * inverse;
      block[at + n + i] = scratchPhi[first + i] * inverse;
    }
    used += 2 * n;
    return { last, first, end, blank: block.subarray(at, at + n), phi: block.subarray(at + n, at + 2 * n), peak, score };
  };

  const initial = (): CtcPrefixState => {
    // In logs, once per utterance: the empty prefix's probability falls from 1 frame by frame.
    let sum = 0;
    let peak = NEG_INF;
    let t = 0;
    for (; t < frames; t++) {
      sum += x[t * vocabSize + blankId];
      scratchBlank[t] = sum;
      if (sum > peak) peak = sum;
      if (sum < windowPrune) break; // the peak of the empty prefix is 0 (nothing emitted before frame 0)
    }
    const end = Math.min(frames, t + 1);
    for (let i = 0; i < end; i++) scratchBlank[i] = scratchPhi[i] = Math.exp(scratchBlank[i] - peak); // nonBlank is 0: nothing emitted
    return keep(-1, 0, end, 1, peak, 0);
  };

  return {
    frames,
    vocabSize,
    initial,
    scoreAll(state, skip, out) {
      out.fill(NEG_INF);
      if (frames === 0) return out;
      const empty = state.last < 0;
      // psi(g + c) = sum_t phi(t - 1) p_t(c), phi being the prefix's probability by frame t - 1
      // (for a repeat of its last label, only the paths ending in a blank), in units of e^peak.
      const ref = state.peak;
      sums.fill(0);
      if (ref !== NEG_INF) {
        const same = state.last;
        const { phi, blank, first } = state;
        // Label c first emitted at frame t >= 1 continues the prefix as it stood at t - 1; at
        // t = 0 only the empty prefix (whose probability before frame 0 is 1).
        const from = empty ? 1 : first + 1;
        const to = Math.min(frames - 1, state.end);
        // Four frames per pass over the labels, with a quarter of the loads and stores of `sums`.
        // A repeat of the last label is summed on its own, over the paths ending in a blank (not
        // as the sum over all paths less those that do not, which cancels when it is small).
        let repeat = 0;
        let t = from;
        for (; t + 3 <= to; t += 4) {
          const i = t - 1 - first;
          const a0 = phi[i];
          const a1 = phi[i + 1];
          const a2 = phi[i + 2];
          const a3 = phi[i + 3];
          const b0 = t * vocabSize;
          const b1 = b0 + vocabSize;
          const b2 = b1 + vocabSize;
          const b3 = b2 + vocabSize;
          for (let c = 0; c < vocabSize; c++) sums[c] = sums[c] + a0 * probs[b0 + c] + a1 * probs[b1 + c] + a2 * probs[b2 + c] + a3 * probs[b3 + c];
          if (same >= 0) repeat += blank[i] * probs[b0 + same] + blank[i + 1] * probs[b1 + same] + blank[i + 2] * probs[b2 + same] + blank[i + 3] * probs[b3 + same];
        }
        for (; t <= to; t++) {
          const any = phi[t - 1 - first];
          const base = t * vocabSize;
          for (let c = 0; c < vocabSize; c++) sums[c] += any * probs[base + c];
          if (same >= 0) repeat += blank[t - 1 - first] * probs[base + same];
        }
        if (same >= 0) sums[same] = repeat;
      }
      for (let c = 0; c < vocabSize; c++) {
        let psi = sums[c] > 0 ? ref + Math.log(sums[c]) : NEG_INF;
        if (empty) psi = logAdd(psi, x[c]);
        out[c] = psi;
      }
      out[blankId] = NEG_INF;
      out[eosId] = wholeLabelling(state);
      for (const s of skip) if (s !== eosId) out[s] = NEG_INF;
      return out;
    },
    scoreLabel(state, label, skip) {
      if (frames === 0 || label === blankId) return NEG_INF;
      if (label === eosId) return wholeLabelling(state);
      if (skip.includes(label)) return NEG_INF;
      const empty = state.last < 0;
      const ref = state.peak;
      // The same sums as scoreAll's, in the same order, so the same roundings: a label's sum
      // frame after frame, a repeat's four frames at a time.
      let sum = 0;
      if (ref !== NEG_INF) {
        const { phi, blank, first } = state;
        const from = empty ? 1 : first + 1;
        const to = Math.min(frames - 1, state.end);
        if (label === state.last) {
          let t = from;
          for (; t + 3 <= to; t += 4) {
            const i = t - 1 - first;
            const b0 = t * vocabSize + label;
            sum += blank[i] * probs[b0] + blank[i + 1] * probs[b0 + vocabSize] + blank[i + 2] * probs[b0 + 2 * vocabSize] + blank[i + 3] * probs[b0 + 3 * vocabSize];
          }
          for (; t <= to; t++) sum += blank[t - 1 - first] * probs[t * vocabSize + label];
        } else for (let t = from; t <= to; t++) sum += phi[t - 1 - first] * probs[t * vocabSize + label];
      }
      const psi = sum > 0 ? ref + Math.log(sum) : NEG_INF;
      return empty ? logAdd(psi, x[label]) : psi;
    },
    extend(state, token) {
      if (token === eosId) return { last: state.last, first: state.first, end: state.end, blank: state.blank, phi: state.phi, peak: state.peak, score: wholeLabelling(state) };
      const empty = state.last < 0;
      const first = empty ? 0 : state.first + 1;
      if (first >= frames || state.peak === NEG_INF) return { last: token, first: Math.min(first, frames), end: Math.min(first, frames), blank: EMPTY, phi: EMPTY, peak: NEG_INF, score: NEG_INF };
      const inflowEnd = state.end + 1; // frame t takes inflow from the parent's frame t - 1
      // Paths into the new label at frame t come from the parent as it stood at t - 1: any of
      // its paths, or for a repeated label only those ending in a blank. Everything here is in
      // the parent's units, e^state.peak, until keep() divides by the largest phi.
      const from = token === state.last ? state.blank : state.phi;
      const parentFirst = state.first;
      let score = 0; // psi(prefix + token), summed over the frame where token is first emitted
      let nonBlank = 0;
      let mass = 0; // phi[t - 1]
      let largest = 0;
      let t = first;
      if (empty) {
        // Frame 0 emits the label straight after <sos>, whose probability there is 1.
        nonBlank = probs[token] * Math.exp(-state.peak);
        score = nonBlank;
        scratchBlank[0] = 0;
        scratchPhi[0] = nonBlank;
        largest = mass = nonBlank;
        t = 1;
      }
      for (; t < frames; t++) {
        const base = t * vocabSize;
        const pc = probs[base + token];
        if (t < inflowEnd) {
          const inflow = from[t - 1 - parentFirst];
          nonBlank = (nonBlank + inflow) * pc;
          score += inflow * pc;
        } else nonBlank *= pc;
        const b = mass * probs[base + blankId];
        mass = nonBlank + b;
        scratchBlank[t] = b;
        scratchPhi[t] = mass;
        if (mass > largest) largest = mass;
        if (t >= inflowEnd && mass < largest * pruneRatio) {
          t++;
          break;
        }
      }
      const end = Math.min(frames, t);
      const peak = largest > 0 ? state.peak + Math.log(largest) : NEG_INF;
      return keep(token, first, end, largest, peak, score > 0 ? state.peak + Math.log(score) : NEG_INF);
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
