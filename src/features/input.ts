import type { Audio } from '../audio/types.ts';
import { AudioError } from '../errors.ts';
import type { FrontEndConfig } from './config.ts';

/** Input checks shared by the batch and streaming extractors. */

/**
 * Accepts bare samples (assumed to be at cfg.sampleRate already: the audio layer resamples)
 * or an `Audio` value, whose rate is then checked, which catches a forgotten resample.
 */
export type SamplesInput = Float32Array | Audio;

/**
 * Unwraps and checks the input's type and rate; `input` names it in errors. Finiteness is
 * checked during extraction (see FrameAnalyser.analyse) and by `firstNonFinite`.
 */
export function samplesAt(source: SamplesInput, cfg: FrontEndConfig, input: string): Float32Array {
  let samples: Float32Array;
  if (source instanceof Float32Array) {
    samples = source;
  } else if (source !== null && typeof source === 'object' && (source as Audio).samples instanceof Float32Array) {
    if (source.sampleRate !== cfg.sampleRate)
      throw new AudioError('BAD_SAMPLE_RATE', `features need ${cfg.sampleRate} Hz audio, got ${source.sampleRate} Hz (resample first)`, input);
    samples = source.samples;
  } else {
    throw new AudioError('UNSUPPORTED_ENCODING', 'expected a Float32Array or { samples: Float32Array, sampleRate }', input);
  }
  return samples;
}

/** Index of the first NaN or infinite sample in [from, to), or -1. */
export function firstNonFinite(samples: Float32Array, from: number, to: number): number {
  // x - x is NaN for NaN and for +-Inf, 0 otherwise.
  for (let i = from; i < to; i++) if (samples[i] - samples[i] !== 0) return i;
  return -1;
}

/** The error for samples[index] (reported as index - indexBase); index -1 if unknown. */
export function nonFiniteError(samples: Float32Array, index: number, input: string, indexBase = 0): AudioError {
  const what = index < 0 ? 'a sample' : `sample ${index - indexBase}`;
  return new AudioError('NON_FINITE', `${what} is ${index < 0 ? 'NaN or infinite' : samples[index]}`, input);
}

/**
 * Samples no frame reads: the tail after the last frame, and the gaps between frames when
 * hop > frameLength. They change no output, but a NaN there still means a broken input.
 */
export function uncoveredRanges(length: number, frames: number, cfg: FrontEndConfig): [number, number][] {
  const ranges: [number, number][] = [];
  if (cfg.hopLength > cfg.frameLength) for (let i = 0; i + 1 < frames; i++) ranges.push([i * cfg.hopLength + cfg.frameLength, (i + 1) * cfg.hopLength]);
  ranges.push([frames === 0 ? 0 : (frames - 1) * cfg.hopLength + cfg.frameLength, length]);
  return ranges;
}
