import { describe, expect, it } from 'vitest';
import { DEFAULT_FRONTEND, hzToMel, melFilterbank, melToHz } from '../../src/features/index.ts';

const cfg = DEFAULT_FRONTEND;
const fb = melFilterbank(cfg);
const binHz = cfg.sampleRate / cfg.nFft;
const row = (m: number) => fb.weights.subarray(m * fb.nBins, (m + 1) * fb.nBins);

describe('melFilterbank', () => {
  it('has 80 filters over 257 bins with edges 20..8000 Hz equally spaced in HTK mel', () => {
    expect(fb.nMels).toBe(80);
    expect(fb.nBins).toBe(257);
    expect(fb.weights.length).toBe(80 * 257);
    expect(fb.edgesHz.length).toBe(82);
    expect(fb.edgesHz[0]).toBeCloseTo(20, 9);
    expect(fb.edgesHz[81]).toBeCloseTo(8000, 9);
    const step = (hzToMel(8000) - hzToMel(20)) / 81;
    for (let i = 1; i < 82; i++) expect(hzToMel(fb.edgesHz[i]) - hzToMel(fb.edgesHz[i - 1])).toBeCloseTo(step, 9);
    expect(hzToMel(1000)).toBeCloseTo(999.9855, 3); // HTK mel of 1 kHz is ~1000
    expect(melToHz(hzToMel(4321))).toBeCloseTo(4321, 9);
  });

  it('rows are triangles: zero outside (left, right), rising then falling, peaking at the bin nearest the centre', () => {
    for (let m = 0; m < 80; m++) {
      const [left, centre, right] = [fb.edgesHz[m], fb.edgesHz[m + 1], fb.edgesHz[m + 2]];
      const w = row(m);
      let peak = 0;
      for (let k = 0; k < fb.nBins; k++) {
        const f = k * binHz;
        if (f <= left || f >= right) expect(w[k]).toBe(0);
        else expect(w[k]).toBeGreaterThan(0);
        if (w[k] > w[peak]) peak = k;
        expect(w[k]).toBeLessThanOrEqual(1);
      }
      for (let k = 1; k <= peak; k++) expect(w[k]).toBeGreaterThanOrEqual(w[k - 1]);
      for (let k = peak + 1; k < fb.nBins; k++) expect(w[k]).toBeLessThanOrEqual(w[k - 1]);
      // Once a side is wider than a few bins, the peak bin sits within half a bin of the
      // centre and its weight is close to 1.
      if (centre - left > 4 * binHz) {
        expect(Math.abs(peak * binHz - centre)).toBeLessThanOrEqual(binHz / 2);
        expect(w[peak]).toBeGreaterThan(1 - binHz / 2 / (centre - left));
      }
    }
  });

  it('adjacent triangles sum to 1 between the first and last centre (shared edges, no area normalisation)', () => {
    let checked = 0;
    for (let k = 0; k < fb.nBins; k++) {
      const f = k * binHz;
      if (f < fb.edgesHz[1] || f > fb.edgesHz[80]) continue;
      let sum = 0;
      for (let m = 0; m < 80; m++) sum += fb.weights[m * fb.nBins + k];
      expect(sum).toBeCloseTo(1, 12);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('covers 20..8000 Hz: non-zero from the first bin above 20 Hz to the last below 8000 Hz', () => {
    const lastBelow = Math.ceil(8000 / binHz) - 1;
    const firstAbove = Math.floor(20 / binHz) + 1;
    const maxAt = (k: number) => Math.max(...Array.from({ length: 80 }, (_, m) => fb.weights[m * fb.nBins + k]));
    for (let k = 0; k < firstAbove; k++) expect(maxAt(k)).toBe(0);
    expect(maxAt(firstAbove)).toBeGreaterThan(0);
    expect(maxAt(lastBelow)).toBeGreaterThan(0.1);
    // The 8000 Hz edge comes back from mel space with round-off, so the Nyquist bin may
    // catch a weight of the order of 1e-14, which no spectrum can make visible.
    for (let k = lastBelow + 1; k < fb.nBins; k++) expect(maxAt(k)).toBeLessThan(1e-12);
  });

  it('sparse ranges hold exactly the non-zero dense weights', () => {
    let total = 0;
    for (let m = 0; m < 80; m++) {
      const w = row(m);
      const nonZero = [...w.keys()].filter((k) => w[k] > 0);
      expect(fb.binCount[m]).toBe(nonZero.length);
      if (nonZero.length > 0) expect(fb.firstBin[m]).toBe(nonZero[0]);
      expect(fb.offset[m]).toBe(total);
      for (let j = 0; j < fb.binCount[m]; j++) expect(fb.sparseWeights[fb.offset[m] + j]).toBe(w[fb.firstBin[m] + j]);
      total += fb.binCount[m];
    }
    expect(fb.sparseWeights.length).toBe(total);
  });
});
