import { describe, expect, it } from 'vitest';
import { align, charErrors, wordErrors } from '../../src/metrics/index.ts';

const w = (s: string) => (s === '' ? [] : s.split(' '));

describe('align', () => {
  it('identical sequences are all correct', () => {
    const a = align(w('the cat sat'), w('the cat sat'));
    expect(a).toMatchObject({ S: 0, D: 0, I: 0, C: 3, N: 3 });
    expect(a.pairs.map((p) => p.op).join('')).toBe('CCC');
  });

  it('finds one substitution, one deletion and one insertion with their positions', () => {
    // ref: the cat sat on the mat ; hyp: the bat sat the mat down
    const a = align(w('the cat sat on the mat'), w('the bat sat the mat down'));
    expect(a).toMatchObject({ S: 1, D: 1, I: 1, C: 4, N: 6 });
    expect(a.pairs).toEqual([
      { ref: 'the', hyp: 'the', op: 'C' },
      { ref: 'cat', hyp: 'bat', op: 'S' },
      { ref: 'sat', hyp: 'sat', op: 'C' },
      { ref: 'on', hyp: null, op: 'D' },
      { ref: 'the', hyp: 'the', op: 'C' },
      { ref: 'mat', hyp: 'mat', op: 'C' },
      { ref: null, hyp: 'down', op: 'I' },
    ]);
  });

  it('prefers substitutions to a deletion plus an insertion at equal cost', () => {
    expect(align(w('a b'), w('b c'))).toMatchObject({ S: 2, D: 0, I: 0, C: 0 });
  });

  it('an empty hypothesis is all deletions, an empty reference all insertions', () => {
    expect(align(w('one two three'), [])).toMatchObject({ S: 0, D: 3, I: 0, C: 0, N: 3 });
    const ins = align([], w('x y'));
    expect(ins).toMatchObject({ S: 0, D: 0, I: 2, C: 0, N: 0 });
    expect(ins.pairs).toEqual([
      { ref: null, hyp: 'x', op: 'I' },
      { ref: null, hyp: 'y', op: 'I' },
    ]);
    expect(align([], [])).toMatchObject({ S: 0, D: 0, I: 0, C: 0, N: 0, pairs: [] });
  });

  it('counts are consistent with the pairs and with the edit distance on random sequences', () => {
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const tokens = (len: number) => Array.from({ length: len }, () => 'abcd'[Math.floor(next() * 4)]);
    for (let t = 0; t < 200; t++) {
      const ref = tokens(Math.floor(next() * 9));
      const hyp = tokens(Math.floor(next() * 9));
      const a = align(ref, hyp);
      // Independent edit distance by plain recursion over the full table.
      const d = Array.from({ length: ref.length + 1 }, (_, i) => Array.from({ length: hyp.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= ref.length; i++)
        for (let j = 1; j <= hyp.length; j++)
          d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
      expect(a.S + a.D + a.I).toBe(d[ref.length][hyp.length]);
      expect(a.S + a.D + a.C).toBe(ref.length);
      expect(a.S + a.I + a.C).toBe(hyp.length);
      expect(a.pairs.filter((p) => p.ref !== null).map((p) => p.ref)).toEqual(ref);
      expect(a.pairs.filter((p) => p.hyp !== null).map((p) => p.hyp)).toEqual(hyp);
      for (const p of a.pairs) expect(p.op === 'C').toBe(p.ref !== null && p.ref === p.hyp);
    }
  });
});

describe('wordErrors / charErrors', () => {
  it('normalises both sides before aligning', () => {
    const r = wordErrors('The cat, sat.', 'the CAT sat');
    expect(r).toMatchObject({ S: 0, D: 0, I: 0, C: 3, N: 3, rate: 0, ref: 'the cat sat', hyp: 'the cat sat' });
    expect(wordErrors('I have 2 cats', 'i have two cats').rate).toBe(0);
  });

  it('insertions can push WER past 100%', () => {
    const r = wordErrors('hello', 'oh hello there my friend');
    expect(r).toMatchObject({ S: 0, D: 0, I: 4, C: 1, N: 1 });
    expect(r.rate).toBe(4);
  });

  it('an empty hypothesis gives WER 1 (all deletions)', () => {
    expect(wordErrors('one two three four', '')).toMatchObject({ D: 4, N: 4, rate: 1 });
  });

  it('an empty reference gives 0 for an empty hypothesis, else the insertion count', () => {
    expect(wordErrors('', '').rate).toBe(0);
    expect(wordErrors('...', '').rate).toBe(0); // normalises to empty
    expect(wordErrors('', 'uh huh')).toMatchObject({ I: 2, N: 0, rate: 2 });
  });

  it('CER counts characters of the normalised text, spaces included', () => {
    // "a cat" (5 chars) vs "acat": one deleted space
    expect(charErrors('a cat', 'acat')).toMatchObject({ S: 0, D: 1, I: 0, C: 4, N: 5, rate: 1 / 5 });
    // "the cat" vs "the bat": one substitution in 7 characters, while WER is 1/2
    expect(charErrors('The cat!', 'the bat').rate).toBeCloseTo(1 / 7, 12);
    expect(wordErrors('The cat!', 'the bat').rate).toBe(0.5);
  });
});

describe('align on long sequences (linear memory, issue 11)', () => {
  /** Unit-cost edit distance, two rows: the reference the alignment must agree with. */
  function distance(ref: readonly string[], hyp: readonly string[]): number {
    let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
    for (let i = 1; i <= ref.length; i++) {
      const cur = [i];
      for (let j = 1; j <= hyp.length; j++) cur[j] = Math.min(prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
      prev = cur;
    }
    return prev[hyp.length];
  }

  it('split alignments are optimal and spell out both sequences, for lengths far past one block', () => {
    let seed = 11;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const tokens = (len: number) => Array.from({ length: len }, () => 'abcdef'[Math.floor(next() * 6)]);
    for (const [n, m] of [
      [600, 590],
      [1200, 300],
      [257, 1400],
      [900, 0],
    ]) {
      const ref = tokens(n);
      // A hypothesis that shares most of the reference, with edits, so the alignment has structure.
      const hyp = m === 0 ? [] : [...ref.slice(0, Math.floor(m / 2)), ...tokens(m - Math.floor(m / 2))];
      const a = align(ref, hyp);
      expect(a.S + a.D + a.I).toBe(distance(ref, hyp));
      expect(a.N).toBe(n);
      expect(a.pairs.flatMap((p) => (p.ref === null ? [] : [p.ref]))).toEqual(ref);
      expect(a.pairs.flatMap((p) => (p.hyp === null ? [] : [p.hyp]))).toEqual(hyp);
      expect(a.pairs.every((p) => (p.op === 'C') === (p.ref !== null && p.ref === p.hyp))).toBe(true);
    }
  });

  it('still prefers substitutions to deletion plus insertion when split', () => {
    // 400 x 400 tokens: every token differs, so 400 substitutions beat any mix with indels.
    const ref = Array.from({ length: 400 }, (_, i) => `r${i}`);
    const hyp = Array.from({ length: 400 }, (_, i) => `h${i}`);
    expect(align(ref, hyp)).toMatchObject({ S: 400, D: 0, I: 0, C: 0 });
  });
});
