import { DEFAULT_FRONTEND, type FrontEndConfig } from './config.ts';
import { frameCount, getFrameAnalyser } from './frameAnalyser.ts';
import { firstNonFinite, nonFiniteError, samplesAt, uncoveredRanges, type SamplesInput } from './input.ts';

/** A block of feature rows. */
export interface Features {
  readonly data: Float32Array; // [frames, dim] row-major
  readonly frames: number;
  readonly dim: number;
}

/**
 * Log-mel features of a whole clip (docs/contracts.md section 2): frame i covers samples
 * [hop * i, hop * i + frameLength), no padding, so a clip shorter than one frame gives 0 frames.
 */
export function computeLogMel(source: SamplesInput, cfg: FrontEndConfig = DEFAULT_FRONTEND, input = 'samples'): Features {
  const analyser = getFrameAnalyser(cfg);
  const samples = samplesAt(source, cfg, input);
  const dim = cfg.nMels;
  const frames = frameCount(samples.length, cfg);
  const data = new Float32Array(frames * dim); // [frames, dim]
  for (let i = 0; i < frames; i++) {
    const start = i * cfg.hopLength;
    if (!analyser.analyse(samples, start, data, i * dim)) {
      // Earlier frames were clean, so the first bad sample lies in this one.
      throw nonFiniteError(samples, firstNonFinite(samples, start, start + cfg.frameLength), input);
    }
  }
  for (const [from, to] of uncoveredRanges(samples.length, frames, cfg)) {
    const bad = firstNonFinite(samples, from, to);
    if (bad >= 0) throw nonFiniteError(samples, bad, input);
  }
  return { data, frames, dim };
}
