import { describe, expect, it } from 'vitest';
import { createCtcPrefixScorer, CTC_TERM_BOUND, ctcLogSoftmax, logAdd, type CtcPrefixState } from '../../src/decoding/index.ts';
import { referenceCtcPrefixScorer, type ReferenceState } from './ctcPrefixReference.ts';

// A small vocabulary shaped like the contract's: 0 <blank>, 1 <sos>, 2 <eos>, then labels.
const BLANK = 0;
const EOS = 2;
const V = 5;
const T = 5;

/** Deterministic pseudo-random numbers in [0, 1) (a linear congruential generator, no Math.random). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** Deterministic pseudo-random logits [T, V] in [-3, 3). */
function logits(seed: number, frames: number, vocab: number): Float32Array {
  const next = lcg(seed);
  const out = new Float32Array(frames * vocab);
  for (let i = 0; i < out.length; i++) out[i] = next() * 6 - 3;
  return out;
}

/**
 * Log posteriors [T, V] shaped like a trained head's: random logits with the blank raised by
 * `blank` everywhere and, every `period` frames (from frame seed % period), one label raised by
 * `spike`, the labels taken in turn from 3 on.
 */
function spikyLogProbs(seed: number, frames: number, vocab: number, { blank, period, spike }: { blank: number; period: number; spike: number }): Float32Array {
  const raw = logits(seed, frames, vocab);
  for (let t = 0; t < frames; t++) {
    raw[t * vocab + BLANK] += blank;
    if (t % period === seed % period) raw[t * vocab + 3 + (t % (vocab - 3))] += spike;
  }
  return ctcLogSoftmax(raw, frames, vocab);
}

/** Every frame-level path, collapsed by the CTC rule: merge repeats, then drop blanks. */
function bruteForce(logProbs: Float32Array, frames: number, vocab: number) {
  const paths: { labels: number[]; logProb: number }[] = [];
  const path = new Array<number>(frames).fill(0);
  const visit = (t: number, lp: number) => {
    if (t === frames) {
      const labels: number[] = [];
      path.forEach((c, i) => {
        if (c !== BLANK && (i === 0 || path[i - 1] !== c)) labels.push(c);
      });
      paths.push({ labels, logProb: lp });
      return;
    }
    for (let c = 0; c < vocab; c++) {
      path[t] = c;
      visit(t + 1, lp + logProbs[t * vocab + c]);
    }
  };
  visit(0, 0);
  const startsWith = (labels: number[], prefix: readonly number[]) => prefix.length <= labels.length && prefix.every((c, i) => labels[i] === c);
  return {
    /** log P(the labelling starts with `prefix`). */
    prefix: (prefix: readonly number[]) => paths.filter((p) => startsWith(p.labels, prefix)).reduce((a, p) => logAdd(a, p.logProb), Number.NEGATIVE_INFINITY),
    /** log P(the labelling is exactly `labels`). */
    exact: (labels: readonly number[]) =>
      paths.filter((p) => p.labels.length === labels.length && startsWith(p.labels, labels)).reduce((a, p) => logAdd(a, p.logProb), Number.NEGATIVE_INFINITY),
  };
}

describe('CTC prefix scorer', () => {
  // float32 log posteriors sum to 1 only to about 1e-7 per frame; the recursion assumes they
  // do exactly, the enumeration does not, hence 6 decimals.
  it.each([1, 7, 42])('equals brute-force path sums over every short prefix (seed %i)', (seed) => {
    const logProbs = ctcLogSoftmax(logits(seed, T, V), T, V);
    const truth = bruteForce(logProbs, T, V);
    const scorer = createCtcPrefixScorer(logProbs, T, V, BLANK, EOS, false);
    const out = new Float64Array(V);
    const labels = [1, 3, 4];
    // Every prefix of up to 3 labels (repeats included, which need a blank in between).
    const prefixes: number[][] = [[]];
    for (let len = 1; len <= 3; len++) for (const p of prefixes.filter((q) => q.length === len - 1)) for (const c of labels) prefixes.push([...p, c]);
    for (const prefix of prefixes) {
      let state: CtcPrefixState = scorer.initial();
      for (const c of prefix) state = scorer.extend(state, c);
      if (prefix.length > 0) expect(state.score).toBeCloseTo(truth.prefix(prefix), 6);
      scorer.scoreAll(state, [], out);
      for (const c of labels) expect(out[c]).toBeCloseTo(truth.prefix([...prefix, c]), 6);
      // <eos> scores the prefix as the whole labelling.
      expect(out[EOS]).toBeCloseTo(truth.exact(prefix), 6);
      expect(scorer.extend(state, EOS).score).toBeCloseTo(truth.exact(prefix), 6);
      expect(out[BLANK]).toBe(Number.NEGATIVE_INFINITY);
    }
  });

  it('prunes unlikely frames only downwards, keeping likely labels exact', () => {
    // Spiky posteriors like a trained head's: blank dominates, one label spikes now and then.
    const frames = 60;
    const raw = logits(11, frames, V);
    for (let t = 0; t < frames; t++) {
      raw[t * V + BLANK] += 12;
      if (t % 7 === 3) raw[t * V + 3 + (t % 2)] += 30;
    }
    const logProbs = ctcLogSoftmax(raw, frames, V);
    const exact = createCtcPrefixScorer(logProbs, frames, V, BLANK, EOS, false);
    const pruned = createCtcPrefixScorer(logProbs, frames, V, BLANK, EOS);
    let state = exact.initial();
    let checkedLikely = 0;
    for (const c of [3, 4, 3, 3, 4]) {
      const a = exact.scoreAll(state, [], new Float64Array(V));
      const b = pruned.scoreAll(state, [], new Float64Array(V));
      for (let v = 0; v < V; v++) {
        expect(b[v]).toBeLessThanOrEqual(a[v] + 1e-12);
        if (a[v] - state.score > -10) {
          expect(b[v]).toBeCloseTo(a[v], 6);
          checkedLikely++;
        }
      }
      state = exact.extend(state, c);
      expect(pruned.extend(pruned.initial(), c).score).toBeCloseTo(exact.extend(exact.initial(), c).score, 12);
    }
    expect(checkedLikely).toBeGreaterThan(5);
  });

  // The scorer as first written works in logs; this one keeps probabilities over a per-state
  // scale. Along random beams both must agree to 1e-9 (relative, in log probability) on every
  // window, prefix score and next-label score. A repeat of the last label is the exception:
  // the reference sums all paths and subtracts those not ending in a blank, which cancels when
  // the repeat is unlikely, so it is compared with that sum taken directly from the reference's
  // blank variables. Values 600 nats or more below their state's peak are probability ~0 to both.
  it.each([
    [1, true],
    [2, true],
    [3, false],
    [4, true],
  ])('agrees with the scorer as first written to 1e-9, along random beams (seed %i, pruned %s)', (seed, pruned) => {
    const frames = 70;
    const vocab = 7;
    // spiky, like a trained head, so pruning cuts windows short
    const logProbs = spikyLogProbs(100 + seed, frames, vocab, { blank: 8, period: 5, spike: 14 });
    const scorer = createCtcPrefixScorer(logProbs, frames, vocab, BLANK, EOS, pruned);
    const reference = referenceCtcPrefixScorer(logProbs, frames, vocab, BLANK, EOS, pruned);
    const near = (value: number, expected: number) => {
      if (expected === Number.NEGATIVE_INFINITY) expect(value).toBe(Number.NEGATIVE_INFINITY);
      else {
        expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
      }
    };
    const same = (state: CtcPrefixState, ref: ReferenceState) => {
      expect([state.last, state.first, state.end]).toEqual([ref.last, ref.first, ref.end]);
      near(state.score, ref.score);
      const phi = Array.from(ref.blank, (b, i) => logAdd(b, ref.nonBlank[i]));
      const peak = Math.max(...phi);
      near(state.peak, peak);
      phi.forEach((p, i) => {
        if (p > peak - 600) near(state.peak + Math.log(state.phi[i]), p);
        if (ref.blank[i] > peak - 600) near(state.peak + Math.log(state.blank[i]), ref.blank[i]);
      });
    };
    /** log psi(prefix + its last label) from the reference's blank variables, summed directly. */
    const repeat = (ref: ReferenceState) => {
      let psi = Number.NEGATIVE_INFINITY;
      for (let t = ref.first + 1; t <= Math.min(frames - 1, ref.end); t++) psi = logAdd(psi, ref.blank[t - 1 - ref.first] + logProbs[t * vocab + ref.last]);
      return psi;
    };
    const next = lcg(seed);
    let beam: [CtcPrefixState, ReferenceState][] = [[scorer.initial(), reference.initial()]];
    let compared = 0;
    for (let step = 0; step < 25 && beam.length > 0; step++) {
      const grown: [CtcPrefixState, ReferenceState][] = [];
      for (const [state, ref] of beam) {
        same(state, ref);
        const out = scorer.scoreAll(state, [1], new Float64Array(vocab));
        const expected = reference.scoreAll(ref, [1], new Float64Array(vocab));
        for (let c = 0; c < vocab; c++) near(out[c], c === ref.last ? repeat(ref) : expected[c]);
        compared++;
        same(scorer.extend(state, EOS), reference.extend(ref, EOS));
        // Two continuations: the likeliest label and a random one (repeats of the last label included).
        const labels = [3, 4, 5, 6];
        const best = labels.reduce((a, c) => (out[c] > out[a] ? c : a), labels[0]);
        for (const c of new Set([best, labels[Math.floor(next() * labels.length)]])) grown.push([scorer.extend(state, c), reference.extend(ref, c)]);
      }
      beam = grown.filter(([s]) => s.score > Number.NEGATIVE_INFINITY).slice(0, 4);
    }
    expect(compared).toBeGreaterThan(40);
  });

  // The pruned search (candidateMerge.ts) scores single labels with scoreLabel, and bounds the
  // CTC term of every other label by CTC_TERM_BOUND: both must hold exactly.
  it.each([
    [5, true],
    [6, false],
  ])('scoreLabel gives scoreAll\'s value bit for bit, and no CTC term exceeds CTC_TERM_BOUND (seed %i, pruned %s)', (seed, pruned) => {
    const frames = 60;
    const vocab = 7;
    // all but certain labels: terms near 0
    const scorer = createCtcPrefixScorer(spikyLogProbs(200 + seed, frames, vocab, { blank: 6, period: 4, spike: 40 }), frames, vocab, BLANK, EOS, pruned);
    const next = lcg(seed);
    let beam: CtcPrefixState[] = [scorer.initial()];
    let compared = 0;
    let nearZero = 0;
    let maxTerm = Number.NEGATIVE_INFINITY;
    for (let step = 0; step < 20 && beam.length > 0; step++) {
      const grown: CtcPrefixState[] = [];
      for (const state of beam) {
        for (const skip of [[1], [1, 4], []]) {
          const out = scorer.scoreAll(state, skip, new Float64Array(vocab));
          for (let c = 0; c < vocab; c++) {
            expect(Object.is(scorer.scoreLabel(state, c, skip), out[c])).toBe(true);
            if (out[c] > Number.NEGATIVE_INFINITY) {
              expect(out[c] - state.score).toBeLessThanOrEqual(CTC_TERM_BOUND);
              if (out[c] - state.score > -1e-12) nearZero++;
              maxTerm = Math.max(maxTerm, out[c] - state.score);
            }
          }
          compared++;
        }
        const labels = [3, 4, 5, 6];
        // The likeliest label, a repeat of the last one, and a random one.
        const out = scorer.scoreAll(state, [1], new Float64Array(vocab));
        const best = labels.reduce((a, c) => (out[c] > out[a] ? c : a), labels[0]);
        for (const c of new Set([best, state.last < 3 ? best : state.last, labels[Math.floor(next() * labels.length)]])) grown.push(scorer.extend(state, c));
      }
      beam = grown.filter((s) => s.score > Number.NEGATIVE_INFINITY).slice(0, 4);
    }
    expect(compared).toBeGreaterThan(100);
    // The bound was tested where it is tight: with all but certain labels a term comes within
    // roundings of 0 (here up to a few 1e-15 above it, so a bound of 0 would not hold).
    expect(nearZero).toBeGreaterThan(0);
    expect(maxTerm).toBeGreaterThan(-1e-12);
  });

  it('gives a prefix longer than the frames can hold probability 0', () => {
    const logProbs = ctcLogSoftmax(logits(3, 2, V), 2, V);
    const scorer = createCtcPrefixScorer(logProbs, 2, V, BLANK, EOS);
    const state = scorer.extend(scorer.extend(scorer.initial(), 3), 4);
    expect(state.score).toBeGreaterThan(Number.NEGATIVE_INFINITY);
    const out = scorer.scoreAll(state, [], new Float64Array(V));
    for (const c of [1, 3, 4]) expect(out[c]).toBe(Number.NEGATIVE_INFINITY);
    // "3 3" needs a blank between the two: three frames at least.
    expect(scorer.extend(scorer.extend(scorer.initial(), 3), 3).score).toBe(Number.NEGATIVE_INFINITY);
  });

  it('skips the listed ids and rejects too few log probabilities', () => {
    const logProbs = ctcLogSoftmax(logits(5, T, V), T, V);
    const scorer = createCtcPrefixScorer(logProbs, T, V, BLANK, EOS, false);
    const out = scorer.scoreAll(scorer.initial(), [1], new Float64Array(V));
    expect(out[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(out[3]).toBeGreaterThan(Number.NEGATIVE_INFINITY);
    expect(() => createCtcPrefixScorer(logProbs, T + 1, V, BLANK, EOS)).toThrow(RangeError);
  });

  it('adds logs without overflow and treats -Infinity as zero probability', () => {
    expect(logAdd(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(logAdd(-1000, Number.NEGATIVE_INFINITY)).toBe(-1000);
    expect(logAdd(-1000, -1000)).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(logAdd(800, 800)).toBeCloseTo(800 + Math.log(2), 12);
  });
});
