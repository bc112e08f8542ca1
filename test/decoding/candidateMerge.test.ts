import { describe, expect, it } from 'vitest';
import { CandidateMerge, topKSelector, type HypothesisScorer } from '../../src/decoding/index.ts';

const V = 12;

/** A pseudo-random number in [0, 1) from the numbers given (deterministic: no Math.random). */
function noise(...values: number[]): number {
  let s = 2166136261;
  for (const v of values) s = Math.imul(s ^ (v + 7919), 16777619) >>> 0;
  return (Math.imul(s ^ (s >>> 15), 2246822519) >>> 0) / 2 ** 32;
}

/**
 * Scores of hypothesis `state` (a number) for each token: coarse float32 values so that ties
 * happen (within a row and, with equal log probabilities, across rows), some -Infinity and one NaN.
 */
function scoresOf(state: number): Float32Array {
  const out = new Float32Array(V);
  for (let c = 0; c < V; c++) {
    const r = noise(state, c);
    out[c] = r < 0.1 ? Number.NEGATIVE_INFINITY : -Math.round(r * 12) / 4;
  }
  if (state % 3 === 0) out[(state * 7) % V] = Number.NaN;
  return out;
}

interface Counting extends HypothesisScorer {
  exactCalls: number;
}

/**
 * A scorer over scoresOf whose bounds sit above the scores by random slack (0 for some tokens,
 * so that bounds tie exact scores), or, with `broken`, below the score of one token of each row.
 */
function boundedScorer(broken = false): Counting {
  const rows: Float32Array[] = [];
  const scorer: Counting = {
    exactCalls: 0,
    init: () => 0,
    advance: (state) => state,
    score: (state, _attention, out) => {
      out.set(scoresOf(state as number));
      return out;
    },
    bound(state, _attention, slot, out) {
      const scores = scoresOf(state as number);
      rows[slot] = scores;
      for (let c = 0; c < V; c++) {
        const r = noise(state as number, c, 99);
        out[c] = Number.isNaN(scores[c]) ? Number.NaN : r < 0.3 ? scores[c] : scores[c] + Math.round(r * 8) / 4;
      }
      if (broken) {
        const best = topKSelector(1).select(scores)[0];
        if (best !== undefined) out[best.token] = best.logProb - 3;
      }
      return out;
    },
    exact(slot, token) {
      scorer.exactCalls++;
      return rows[slot][token];
    },
  };
  return scorer;
}

/** The same scores without bounds: every token scored. */
const unbounded = (): HypothesisScorer => {
  const { init, advance, score } = boundedScorer();
  return { init, advance, score };
};

type Taken = [row: number, token: number, score: number, total: number];

/** What the search did before the merge: every row's top k, merged by a stable sort of the totals. */
function reference(states: number[], logProbs: number[], k: number): Taken[] {
  const all: Taken[] = [];
  states.forEach((state, row) => {
    for (const c of topKSelector(k).select(scoresOf(state))) all.push([row, c.token, c.logProb, logProbs[row] + c.logProb]);
  });
  return all.sort((a, b) => b[3] - a[3]); // stable: equal totals keep row order, then each row's own
}

function take(scorer: HypothesisScorer, states: number[], logProbs: number[], k: number, count = Infinity): Taken[] {
  const merge = new CandidateMerge(scorer, V, states.length, k);
  merge.begin(states.length);
  states.forEach((state, row) => {
    merge.attention(row).fill(0); // the scorers here ignore it
    merge.add(row, state, logProbs[row]);
  });
  const out: Taken[] = [];
  while (out.length < count && merge.next()) out.push([merge.row, merge.token, merge.score, merge.total]);
  return out;
}

describe('candidate merge', () => {
  const cases = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
    const rows = 2 + (seed % 4) * 2;
    const states = Array.from({ length: rows }, (_, b) => seed * 100 + b);
    // Equal log probabilities for some rows, so that totals tie across rows.
    const logProbs = states.map((_, b) => -Math.round(noise(seed, b) * 4) / 2);
    return { seed, states, logProbs, k: 1 + (seed % 5) };
  });

  it.each(cases)('takes exactly what the stable sort of every row\'s top k gives (seed $seed)', ({ states, logProbs, k }) => {
    const expected = reference(states, logProbs, k);
    expect(expected.length).toBeGreaterThan(0);
    expect(take(boundedScorer(), states, logProbs, k)).toEqual(expected);
    expect(take(unbounded(), states, logProbs, k)).toEqual(expected);
  });

  it('scores only the tokens that can come next when a beam takes a few', () => {
    let ties = 0;
    for (const { states, logProbs, k } of cases) {
      const expected = reference(states, logProbs, k);
      const scorer = boundedScorer();
      const few = Math.min(3, expected.length);
      expect(take(scorer, states, logProbs, k, few)).toEqual(expected.slice(0, few));
      expect(scorer.exactCalls).toBeLessThan(states.length * V);
      for (let i = 1; i < expected.length; i++) if (expected[i][3] === expected[i - 1][3]) ties++;
    }
    expect(ties).toBeGreaterThan(0); // the cases do test the order of equal totals
  });

  it('gives a different order when a bound falls below its score (the comparison can fail)', () => {
    const differs = cases.filter(({ states, logProbs, k }) => JSON.stringify(take(boundedScorer(true), states, logProbs, k)) !== JSON.stringify(reference(states, logProbs, k)));
    expect(differs.length).toBeGreaterThan(0);
  });
});
