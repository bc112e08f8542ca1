import { describe, expect, it } from 'vitest';
import { align, type StepRecord } from '../../src/decoding/index.ts';
import { CONTRACT_VOCAB, createVocabulary, EOS_ID } from '../../src/model/index.ts';

const vocab = createVocabulary(CONTRACT_VOCAB, 'test');
const id = (c: string) => CONTRACT_VOCAB.indexOf(c);

/** "hi" then <eos>: each step attends to a window of the 5 encoder frames, peaking inside it. */
const steps: StepRecord[] = [
  { token: id('h'), logProb: -0.1, window: { start: 0, end: 2 }, peakFrame: 1, weights: Float32Array.of(0.25, 0.75) },
  { token: id('i'), logProb: -0.2, window: { start: 2, end: 4 }, peakFrame: 3, weights: Float32Array.of(0.5, 0.5) },
  { token: EOS_ID, logProb: -0.3, window: { start: 3, end: 5 }, peakFrame: 4, weights: Float32Array.of(1, 0) },
];

describe('align', () => {
  it('times the text tokens at their attention peaks and leaves the matrix out by default', () => {
    const a = align(steps, vocab, 0.04, 5);
    expect(a.text).toBe('hi');
    expect(a.tokens.map((t) => [t.token, t.start, t.end])).toEqual([['h', 0.04, 0.12], ['i', 0.12, 0.16]]);
    expect(a.attention).toBeUndefined();
  });

  it('builds the [tokens, frames] matrix with { withAttention: true }, <eos> dropped', () => {
    const a = align(steps, vocab, 0.04, 5, { withAttention: true });
    expect(a.attention?.rows).toBe(2);
    expect(a.attention?.cols).toBe(5);
    expect(Array.from(a.attention?.data ?? [])).toEqual([0.25, 0.75, 0, 0, 0, 0, 0, 0.5, 0.5, 0]);
    expect(align(steps, vocab, 0.04, 5, { withAttention: false }).attention).toBeUndefined();
  });
});
