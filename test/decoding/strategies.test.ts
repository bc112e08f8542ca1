import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topKSelector } from '../../src/decoding/index.ts';

/** The definition: every proposable token (not -Infinity, not NaN), best first, ties to the lower id, the first k. */
function bySorting(row: Float32Array, k: number) {
  return Array.from(row, (logProb, token) => ({ token, logProb }))
    .filter((c) => c.logProb !== Number.NEGATIVE_INFINITY && !Number.isNaN(c.logProb))
    .sort((a, b) => b.logProb - a.logProb || a.token - b.token)
    .slice(0, k);
}

describe('top-k selector', () => {
  it('picks what sorting picks, for any row and k, also when it is reused', () => {
    // Few distinct values, so that ties are common.
    const value = fc.oneof(fc.constantFrom(-1, -2, -2.5, 0, Number.NEGATIVE_INFINITY, Number.NaN), fc.float({ min: -20, max: 0, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.array(value, { maxLength: 14 }), { minLength: 1, maxLength: 4 }), (k, rows) => {
        const selector = topKSelector(k);
        for (const row of rows) {
          const logProbs = Float32Array.from(row);
          expect(selector.select(logProbs)).toEqual(bySorting(logProbs, k));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('breaks a tie for the last place in favour of the lower id', () => {
    const picked = topKSelector(2).select(Float32Array.from([-3, -1, -2, -1, -2]));
    expect(picked).toEqual([
      { token: 1, logProb: -1 },
      { token: 3, logProb: -1 },
    ]);
  });
});
