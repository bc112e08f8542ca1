import type { FrontEndConfig } from '../features/config.ts';
import type { Features } from '../features/logMel.ts';

/**
 * Energy voice-activity detection on the raw (unnormalised) log-mel frames, so the decision is
 * made per feature frame, aligned with what the encoder sees, without touching the samples
 * again. A frame is speech when its level is above both an absolute floor and a tracked noise
 * floor plus a margin; the noise floor follows quiet stretches down at once and creeps up
 * slowly, so a fan or hum raises it while a spoken sentence does not.
 */
export interface VadOptions {
  /** Frames quieter than this (dB relative to a full-scale sine) are never speech. Default -45. */
  readonly thresholdDb: number;
  /** Speech must be this far above the tracked noise floor. Default 10. */
  readonly marginDb: number;
  /** How fast the noise floor may rise, dB per second. Default 1. */
  readonly floorRiseDbPerSecond: number;
}

export const DEFAULT_VAD_OPTIONS: VadOptions = Object.freeze({ thresholdDb: -45, marginDb: 10, floorRiseDbPerSecond: 1 });

/** The floor cannot sink below this, or digital silence would pin it at the log floor. */
const LOWEST_FLOOR_DB = -100;

/**
 * Summed mel energy of a full-scale sine (amplitude 1, power 1/2): by Parseval, the one-sided
 * power spectrum of a Hann-windowed frame sums to nFft / 2 * frameLength * mean(w^2) * power,
 * mean(w^2) = 3/8 for Hann, and the unnormalised HTK triangles sum to about 1 across the band.
 */
export function fullScaleMelEnergy(cfg: FrontEndConfig): number {
  const HANN_POWER = 3 / 8;
  return (cfg.nFft / 2) * cfg.frameLength * HANN_POWER * 0.5;
}

/** Level in dB of each raw log-mel frame [frames, dim], relative to a full-scale sine. */
export function frameLevelsDb(features: Features, reference: number): Float64Array {
  const { data, frames, dim } = features;
  const levels = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    let energy = 0;
    for (let d = 0; d < dim; d++) energy += Math.exp(data[t * dim + d]);
    levels[t] = 10 * Math.log10(energy / reference);
  }
  return levels;
}

export interface Vad {
  /** Speech (1) or not (0) for each raw log-mel frame [frames, dim], in order. */
  classify(features: Features): Uint8Array;
}

/** `hopSeconds` is the time between frames; state (the noise floor) lives in the returned object. */
export function createVad(options: VadOptions, cfg: FrontEndConfig): Vad {
  const reference = fullScaleMelEnergy(cfg);
  const risePerFrame = (options.floorRiseDbPerSecond * cfg.hopLength) / cfg.sampleRate;
  let floor = options.thresholdDb - options.marginDb;
  return {
    classify(features) {
      const levels = frameLevelsDb(features, reference);
      const speech = new Uint8Array(levels.length);
      for (let t = 0; t < levels.length; t++) {
        const db = levels[t];
        floor = Math.max(LOWEST_FLOOR_DB, Math.min(floor + risePerFrame, db));
        speech[t] = db > options.thresholdDb && db > floor + options.marginDb ? 1 : 0;
      }
      return speech;
    },
  };
}
