import type { FrontEndConfig } from '../features/config.ts';
import type { Features } from '../features/logMel.ts';

/**
 * Energy voice-activity detection on the raw (unnormalised) log-mel frames, so the decision is
 * made per feature frame, aligned with what the encoder sees, without touching the samples
 * again. A frame is speech when its level is above both an absolute floor and the noise floor
 * plus a margin. The noise floor is the quietest frame level of the last `floorWindowSeconds`
 * (minimum statistics, after R. Martin, "Noise power spectral density estimation based on
 * optimal smoothing and minimum statistics", IEEE TSAP 9(5), 2001): speech pauses between words
 * within that window show the floor, while a steady signal (a fan, hum, white noise, a DC
 * offset, a square wave) is its own floor and so never speech, however loud.
 */
export interface VadOptions {
  /** Frames quieter than this (dB relative to a full-scale sine) are never speech. Default -45. */
  readonly thresholdDb: number;
  /** Speech must be this far above the noise floor. Default 10. */
  readonly marginDb: number;
  /** The noise floor is the quietest frame of this many seconds up to the current one. Default 2. */
  readonly floorWindowSeconds: number;
}

export const DEFAULT_VAD_OPTIONS: VadOptions = Object.freeze({ thresholdDb: -45, marginDb: 10, floorWindowSeconds: 2 });

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

/** State (the recent levels behind the noise floor) lives in the returned object. */
export function createVad(options: VadOptions, cfg: FrontEndConfig): Vad {
  const reference = fullScaleMelEnergy(cfg);
  const window = Math.max(1, Math.round((options.floorWindowSeconds * cfg.sampleRate) / cfg.hopLength)); // frames
  // Sliding-window minimum: a ring of (frame, level) pairs with rising levels, oldest first.
  const ringFrames = new Float64Array(window + 1);
  const ringLevels = new Float64Array(window + 1);
  let head = 0;
  let size = 0;
  let frame = 0;
  return {
    classify(features) {
      const levels = frameLevelsDb(features, reference);
      const speech = new Uint8Array(levels.length);
      for (let t = 0; t < levels.length; t++, frame++) {
        const db = Math.max(LOWEST_FLOOR_DB, levels[t]);
        // Drop levels the new one undercuts, and the one that left the window.
        while (size > 0 && ringLevels[(head + size - 1) % ringLevels.length] >= db) size--;
        ringFrames[(head + size) % ringFrames.length] = frame;
        ringLevels[(head + size) % ringLevels.length] = db;
        size++;
        if (ringFrames[head] <= frame - window) {
          head = (head + 1) % ringFrames.length;
          size--;
        }
        const floor = ringLevels[head];
        speech[t] = db > options.thresholdDb && db > floor + options.marginDb ? 1 : 0;
      }
      return speech;
    },
  };
}
