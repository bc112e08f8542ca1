import type { FrontEndConfig } from './config.ts';
import { validateFrontEnd } from './config.ts';

/**
 * HTK mel triangles over the power-spectrum bins (docs/contracts.md section 2).
 *
 * Each filter is non-zero on a short run of bins only, so besides the dense matrix (kept for
 * tests and parity checks) the filters are stored sparsely: filter m covers bins
 * [firstBin[m], firstBin[m] + binCount[m]) with weights packed at sparseWeights[offset[m]...].
 */
export interface MelFilterbank {
  readonly nMels: number;
  /** nFft / 2 + 1 power-spectrum bins. */
  readonly nBins: number;
  /** Filter edges in Hz, nMels + 2 points: filter m has left/centre/right = edgesHz[m..m+2]. */
  readonly edgesHz: Float64Array;
  /** Dense weights, [nMels, nBins] row-major. */
  readonly weights: Float64Array;
  readonly firstBin: Int32Array; // [nMels]
  readonly binCount: Int32Array; // [nMels]
  readonly offset: Int32Array; // [nMels]
  readonly sparseWeights: Float64Array; // [sum of binCount]
}

export const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

export function melFilterbank(cfg: FrontEndConfig): MelFilterbank {
  validateFrontEnd(cfg);
  const { nMels, nFft, sampleRate } = cfg;
  const nBins = nFft / 2 + 1;

  // nMels + 2 points equally spaced in mel, like numpy.linspace(mel(fMin), mel(fMax), nMels + 2).
  const melMin = hzToMel(cfg.fMin);
  const melMax = hzToMel(cfg.fMax);
  const step = (melMax - melMin) / (nMels + 1);
  const edgesHz = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edgesHz[i] = melToHz(i === nMels + 1 ? melMax : melMin + i * step);

  const weights = new Float64Array(nMels * nBins); // [nMels, nBins]
  const firstBin = new Int32Array(nMels);
  const binCount = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const left = edgesHz[m];
    const centre = edgesHz[m + 1];
    const right = edgesHz[m + 2];
    let first = -1;
    let last = -2;
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre)));
      weights[m * nBins + k] = w;
      if (w > 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    // A filter narrower than one bin spacing can catch no bin at all; it then stays all-zero
    // and its output is the log floor, exactly as the dense formula would give.
    firstBin[m] = first < 0 ? 0 : first;
    binCount[m] = last - first + 1 > 0 ? last - first + 1 : 0;
  }

  const offset = new Int32Array(nMels);
  let total = 0;
  for (let m = 0; m < nMels; m++) {
    offset[m] = total;
    total += binCount[m];
  }
  const sparseWeights = new Float64Array(total);
  for (let m = 0; m < nMels; m++) {
    for (let j = 0; j < binCount[m]; j++) sparseWeights[offset[m] + j] = weights[m * nBins + firstBin[m] + j];
  }
  return { nMels, nBins, edgesHz, weights, firstBin, binCount, offset, sparseWeights };
}
