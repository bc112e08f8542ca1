import { describe, expect, it } from 'vitest';
import { createPowerSpectrum } from '../../src/features/powerSpectrum.ts';
import { rng } from './signals.ts';

/** |DFT|^2 by the definition. */
function directPower(x: Float64Array): number[] {
  const n = x.length;
  return Array.from({ length: n / 2 + 1 }, (_, k) => {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      im -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    return re * re + im * im;
  });
}

describe('createPowerSpectrum', () => {
  it.each([4, 8, 16, 64, 512])('matches the direct DFT for n = %i', (n) => {
    const next = rng(n);
    const x = Float64Array.from({ length: n }, () => 2 * next() - 1);
    const power = new Float64Array(n / 2 + 1);
    createPowerSpectrum(n)(x, power);
    const want = directPower(x);
    const scale = Math.max(...want);
    for (let k = 0; k <= n / 2; k++) expect(Math.abs(power[k] - want[k]) / scale).toBeLessThan(1e-12);
  });

  it('puts a cosine at bin k into bins k only, with power (n/2)^2', () => {
    const n = 512;
    const k0 = 37;
    const x = Float64Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * k0 * t) / n));
    const power = new Float64Array(n / 2 + 1);
    createPowerSpectrum(n)(x, power);
    for (let k = 0; k <= n / 2; k++) expect(power[k]).toBeCloseTo(k === k0 ? (n / 2) ** 2 : 0, 6);
  });

  it('rejects sizes that are not a power of two >= 4', () => {
    for (const n of [2, 6, 100, 0]) expect(() => createPowerSpectrum(n)).toThrow(RangeError);
  });
});
