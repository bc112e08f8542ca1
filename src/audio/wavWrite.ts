import type { Audio } from './types.ts';
import { assertFinite, assertSampleRate } from './validate.ts';

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;

/**
 * Writes mono 16-bit PCM WAV. Samples are clipped to [-1, 1] and scaled by 32768 below zero and
 * 32767 above, the inverse of the decoder's scaling, so a decode/encode round trip is exact.
 */
export function encodeWav16(audio: Audio, input = '<memory>'): Uint8Array {
  assertSampleRate(audio.sampleRate, input);
  assertFinite(audio.samples, audio.sampleRate, input);
  const dataBytes = audio.samples.length * BYTES_PER_SAMPLE;
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * BYTES_PER_SAMPLE, true);
  view.setUint16(32, BYTES_PER_SAMPLE, true);
  view.setUint16(34, BYTES_PER_SAMPLE * 8, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < audio.samples.length; i++) {
    const v = Math.max(-1, Math.min(1, audio.samples[i]));
    view.setInt16(HEADER_BYTES + i * BYTES_PER_SAMPLE, Math.round(v < 0 ? v * 32768 : v * 32767), true);
  }
  return bytes;
}
