import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { computeLogMel, normalise } from '../../src/features/index.ts';
import { noise } from './signals.ts';

const feats = computeLogMel(noise(2000, 21));
const mean = Array.from({ length: 80 }, (_, d) => -5 + d / 10);
const std = Array.from({ length: 80 }, (_, d) => 1 + d / 40);

describe('normalise', () => {
  it('computes (x - mean[d]) / std[d] into a new array', () => {
    const before = feats.data.slice();
    const out = normalise(feats, { mean, std });
    expect(out.frames).toBe(feats.frames);
    expect(out.dim).toBe(80);
    expect(out.data).not.toBe(feats.data);
    expect(feats.data).toEqual(before);
    for (let t = 0; t < feats.frames; t++)
      for (let d = 0; d < 80; d++) expect(out.data[t * 80 + d]).toBe(Math.fround((feats.data[t * 80 + d] - mean[d]) / std[d]));
  });

  it.each([
    ['a short mean', { mean: mean.slice(1), std }],
    ['a long std', { mean, std: [...std, 1] }],
    ['a zero std', { mean, std: std.map((s, d) => (d === 7 ? 0 : s)) }],
    ['a negative std', { mean, std: std.map((s, d) => (d === 3 ? -1 : s)) }],
    ['a NaN mean', { mean: mean.map((m, d) => (d === 0 ? NaN : m)), std }],
    ['missing std', { mean } as unknown as { mean: number[]; std: number[] }],
  ])('rejects %s with a ConfigError naming the stats', (_, stats) => {
    expect(() => normalise(feats, stats, 'models/x/config.json')).toThrow(ConfigError);
    expect(() => normalise(feats, stats, 'models/x/config.json')).toThrow(/models\/x\/config\.json/);
  });
});
