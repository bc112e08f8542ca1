/** Audio input: WAV and raw PCM in, mono Float32 at 16 kHz out (see docs/contracts.md, section 1). */
export type { Audio } from './types.ts';
export type { DecodeOptions, StreamOptions } from './options.ts';
export type { SampleEncoding } from './wavFormat.ts';
export type { WavInfo } from './wav.ts';
export type { PcmOptions } from './pcm.ts';
export type { Resampler } from './resample.ts';
export { decodeWav, probeWav } from './wav.ts';
export { readWavFile, streamWavFile, probeWavFile } from './wavStream.ts';
export { pcmS16leChunks, validatePcmOptions } from './pcm.ts';
export { encodeWav16 } from './wavWrite.ts';
export { downmix } from './downmix.ts';
export { createResampler, resample, resampledLength } from './resample.ts';
export { assertUsable, assertFinite, assertLongEnough, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE, MAX_CHANNELS } from './validate.ts';
