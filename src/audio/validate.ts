import { AudioError } from '../errors.ts';
import { FRAME_LENGTH, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, SAMPLE_RATE } from './constants.ts';
import type { Audio } from './types.ts';
import { resampledLength } from './resample.ts';

export { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE };
/** More than this is a corrupt header, not a microphone array. */
export const MAX_CHANNELS = 256;

export function assertSampleRate(sampleRate: number, input: string): void {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE)
    throw new AudioError('BAD_SAMPLE_RATE', `sample rate ${sampleRate} Hz is outside ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz`, input);
}

export function assertChannels(channels: number, input: string): void {
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS)
    throw new AudioError('BAD_CHANNELS', `channel count ${channels} is outside 1..${MAX_CHANNELS}`, input);
}

/**
 * Throws NON_FINITE at the first NaN or Inf. `startSample` places the error in time when the
 * samples are one chunk of a longer stream.
 */
export function assertFinite(samples: Float32Array, sampleRate: number, input: string, startSample = 0): void {
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      const seconds = (startSample + i) / sampleRate;
      throw new AudioError('NON_FINITE', `sample ${startSample + i} (${seconds.toFixed(3)} s) is ${samples[i]}`, input);
    }
  }
}

/**
 * Throws TOO_SHORT when `frames` samples at `sampleRate` give fewer than one analysis frame
 * (400 samples) once resampled to 16 kHz; the length is the resampler's exact output length,
 * so the verdict is the same before and after conversion.
 */
export function assertLongEnough(frames: number, sampleRate: number, input: string): void {
  const at16k = resampledLength(frames, sampleRate, SAMPLE_RATE);
  if (at16k < FRAME_LENGTH) {
    const ms = ((frames / sampleRate) * 1000).toFixed(1);
    throw new AudioError('TOO_SHORT', `${ms} ms of audio (${at16k} samples at ${SAMPLE_RATE} Hz) is shorter than one ${FRAME_LENGTH}-sample frame`, input);
  }
}

/** The checks any audio must pass before feature extraction, whatever its source. */
export function assertUsable(audio: Audio, input: string): void {
  assertSampleRate(audio.sampleRate, input);
  assertFinite(audio.samples, audio.sampleRate, input);
  assertLongEnough(audio.samples.length, audio.sampleRate, input);
}
