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
 *
 * That floor is causal, so it is blind at the start of a stream: when speech starts at the
 * first sample (a trimmed clip, a TTS file), the floor is the speech itself until the first
 * pause. The frame verdicts drive the endpoint rules and stay causal; whether a finished
 * segment held speech at all is judged again once all its frames are known
 * (`segmentSpeechFrames`), with the floor looked for on both sides of each frame.
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
  /** The same from frame levels (frameLevelsDb with this VAD's `reference`), in order. */
  classifyLevels(levels: ArrayLike<number>): Uint8Array;
  /** Energy of a full-scale sine, the 0 dB of the levels. */
  readonly reference: number;
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
  const classifyLevels = (levels: ArrayLike<number>): Uint8Array => {
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
  };
  return { reference, classifyLevels, classify: (features) => classifyLevels(frameLevelsDb(features, reference)) };
}

/**
 * How many frames of a finished segment are speech, its levels (dB, as frameLevelsDb) all
 * known. A frame is surely speech when the causal VAD said so (`causal`, 1 per frame), or when
 * it is above the absolute threshold and `marginDb` above the floor: the quietest frame within
 * `floorWindowSeconds` on either side of it, inside the segment. Looking ahead finds the floor
 * that speech from the first frame hides from the causal VAD (the dip between syllables, the
 * fade after the word). A run of frames above the threshold and half the margin above the
 * floor that holds a sure frame is speech as a whole, the two thresholds of L. R. Rabiner and
 * M. R. Sambur's endpoint detector ("An algorithm for determining the endpoints of isolated
 * utterances", Bell Syst. Tech. J. 54(2), 1975): a word is longer than its loudest frames. A
 * steady signal stays within a dB or two of its own floor, in both directions, and never holds
 * a sure frame. Only the segment's own frames count, so the verdict depends on its audio alone,
 * and offline and live recognition, which cut a recording at the same frames, give the same
 * one. O(frames).
 */
export function segmentSpeechFrames(levels: ArrayLike<number>, causal: ArrayLike<number>, options: VadOptions, cfg: FrontEndConfig): number {
  let speech = 0;
  speechRuns(levels, causal, options, cfg, (_, length) => {
    speech += length;
    return true;
  });
  return speech;
}

/** The first frame of the first run segmentSpeechFrames counts as speech, or -1: where the frames' speech starts, judged with all of them known. */
export function firstSegmentSpeechFrame(levels: ArrayLike<number>, causal: ArrayLike<number>, options: VadOptions, cfg: FrontEndConfig): number {
  let first = -1;
  speechRuns(levels, causal, options, cfg, (start) => {
    first = start;
    return false;
  });
  return first;
}

/** Calls `visit(start, length)` for each run of speech frames (segmentSpeechFrames's rule), in order, until it returns false. */
function speechRuns(levels: ArrayLike<number>, causal: ArrayLike<number>, options: VadOptions, cfg: FrontEndConfig, visit: (start: number, length: number) => boolean): void {
  const n = levels.length;
  const window = Math.max(1, Math.round((options.floorWindowSeconds * cfg.sampleRate) / cfg.hopLength)); // frames
  const level = (t: number) => Math.max(LOWEST_FLOOR_DB, levels[t]);
  // Quietest level in (t - window, t] (behind) and in [t, t + window) (ahead), by monotone queues.
  const behind = slidingMin(n, window, level);
  const ahead = slidingMin(n, window, (t) => level(n - 1 - t)).reverse();
  let run = 0; // frames of the current run above the lower threshold
  let sure = false; // the run holds a frame above the upper one
  for (let t = 0; t <= n; t++) {
    const db = t < n ? level(t) : Number.NEGATIVE_INFINITY;
    const floor = t < n ? Math.min(behind[t], ahead[t]) : 0;
    const above = db > options.thresholdDb;
    const isSure = t < n && (causal[t] === 1 || (above && db > floor + options.marginDb));
    if (isSure || (above && db > floor + options.marginDb / 2)) {
      run++;
      sure ||= isSure;
    } else {
      if (sure && !visit(t - run, run)) return;
      run = 0;
      sure = false;
    }
  }
}

/** out[t] = min of value(u) for u in (t - window, t], the causal VAD's window. */
function slidingMin(n: number, window: number, value: (t: number) => number): Float64Array {
  const out = new Float64Array(n);
  const queue = new Int32Array(n); // frames with rising values, oldest first
  let head = 0;
  let tail = 0;
  for (let t = 0; t < n; t++) {
    const v = value(t);
    while (tail > head && value(queue[tail - 1]) >= v) tail--;
    queue[tail++] = t;
    if (queue[head] <= t - window) head++;
    out[t] = value(queue[head]);
  }
  return out;
}
