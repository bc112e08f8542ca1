import type { FrontEndConfig } from './config.ts';
import { melFilterbank, type MelFilterbank } from './melFilterbank.ts';
import { createPowerSpectrum } from './powerSpectrum.ts';

/**
 * Turns one analysis frame into one log-mel row. Everything that depends only on the config
 * (window, FFT plan, filterbank, scratch buffers) is built once and cached, so the per-frame
 * path allocates nothing. Batch and streaming extraction share this one kernel, which is what
 * makes their outputs bitwise equal.
 */
export interface FrameAnalyser {
  readonly cfg: FrontEndConfig;
  readonly filterbank: MelFilterbank;
  /**
   * Writes the log-mel row of the frame samples[start, start + frameLength) to
   * out[outOffset, outOffset + nMels). Returns false, with the row unspecified, when the
   * frame holds a NaN or an infinity; the caller then reports the offending sample.
   */
  analyse(samples: Float32Array, start: number, out: Float32Array, outOffset: number): boolean;
}

/** `N < frameLength ? 0 : 1 + floor((N - frameLength) / hop)`: no padding at either edge. */
export function frameCount(nSamples: number, cfg: FrontEndConfig): number {
  return nSamples < cfg.frameLength ? 0 : 1 + Math.floor((nSamples - cfg.frameLength) / cfg.hopLength);
}

/** Periodic Hann: w[n] = 0.5 - 0.5 cos(2 pi n / L), n = 0..L-1. */
export function hannPeriodic(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

const cache = new Map<string, FrameAnalyser>();

/** Config objects are small value objects; equal contents share one analyser. */
function configKey(cfg: FrontEndConfig): string {
  return [cfg.sampleRate, cfg.frameLength, cfg.hopLength, cfg.nFft, cfg.nMels, cfg.fMin, cfg.fMax, cfg.logFloor, cfg.window].join('|');
}

export function getFrameAnalyser(cfg: FrontEndConfig): FrameAnalyser {
  const key = configKey(cfg);
  let analyser = cache.get(key);
  if (analyser === undefined) {
    analyser = buildAnalyser(cfg); // validates cfg through melFilterbank
    cache.set(key, analyser);
  }
  return analyser;
}

function buildAnalyser(cfg: FrontEndConfig): FrameAnalyser {
  const filterbank = melFilterbank(cfg);
  const { frameLength, nFft, nMels, logFloor } = cfg;
  const { nBins, firstBin, binCount, offset, sparseWeights } = filterbank;
  const window = hannPeriodic(frameLength);
  const powerSpectrum = createPowerSpectrum(nFft);
  // Zero-padded tail [frameLength, nFft) is never written, so it stays zero.
  const frame = new Float64Array(nFft);
  const power = new Float64Array(nBins);

  function analyse(samples: Float32Array, start: number, out: Float32Array, outOffset: number): boolean {
    for (let n = 0; n < frameLength; n++) frame[n] = samples[start + n] * window[n];
    powerSpectrum(frame, power);
    // The DC bin is the squared sum of every windowed sample, so it is finite exactly when
    // all of them are: a float64 sum of 400 float32 values cannot overflow, nor can its
    // square, and a NaN or infinity, even one times a zero window weight, never cancels out.
    // This replaces a separate validation pass over the input at no cost.
    if (power[0] - power[0] !== 0) return false;
    for (let m = 0; m < nMels; m++) {
      const first = firstBin[m];
      const count = binCount[m];
      const base = offset[m];
      let energy = 0;
      for (let j = 0; j < count; j++) energy += sparseWeights[base + j] * power[first + j];
      out[outOffset + m] = Math.log(energy > logFloor ? energy : logFloor);
    }
    return true;
  }

  return { cfg, filterbank, analyse };
}
