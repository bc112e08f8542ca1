import nodeWav from 'node-wav';
import { AudioError } from '../errors.ts';
import { ALAW_TABLE, MULAW_TABLE, decodeG711 } from './g711.ts';
import type { SampleLayout } from './wavFormat.ts';

/**
 * Interleaved sample bytes -> planar floats [channels][frames]. PCM and float go through
 * node-wav 0.0.2, which needs guarding (measured):
 *  - it builds Int16Array/Float32Array/Float64Array views straight over the data, so data not
 *    aligned to the sample size (a `fact` chunk after an 18-byte fmt puts float data at byte
 *    58), or bytes after the data that are not a whole number of samples, throw RangeError;
 *  - it refuses format 0xFFFE (EXTENSIBLE) even when the sub-format is plain PCM;
 *  - it reads the buffer length wrongly for a Node Buffer that is a slice of a larger pool;
 *  - its 24-bit decoder maps the most negative sample 0x800000 to +1.0000001 instead of -1.
 * So every block is copied behind a minimal canonical header of our own (format 1 or 3, data at
 * an 8-byte aligned offset, nothing after it) into a fresh ArrayBuffer, and the 24-bit result
 * is patched. The copy costs one memcpy per block; mu-law and A-law are decoded in g711.ts.
 */

/** RIFF(12) + fmt(8 + 16) + JUNK(8 + 4) + data header(8): samples start at byte 56 = 7 * 8. */
const CANONICAL_DATA_OFFSET = 56;
const JUNK_BYTES = 4;

function canonicalWav(layout: SampleLayout, data: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(CANONICAL_DATA_OFFSET + data.length);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  const blockAlign = layout.channels * layout.bytesPerSample;
  ascii(0, 'RIFF');
  view.setUint32(4, buffer.byteLength - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, layout.encoding === 'float' ? 3 : 1, true);
  view.setUint16(22, layout.channels, true);
  view.setUint32(24, layout.sampleRate, true);
  view.setUint32(28, layout.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, layout.bytesPerSample * 8, true);
  ascii(36, 'JUNK');
  view.setUint32(40, JUNK_BYTES, true);
  ascii(48, 'data');
  view.setUint32(52, data.length, true);
  bytes.set(data, CANONICAL_DATA_OFFSET);
  return buffer;
}

function decodeWithNodeWav(layout: SampleLayout, data: Uint8Array, input: string): Float32Array[] {
  let decoded;
  try {
    decoded = nodeWav.decode(canonicalWav(layout, data));
  } catch (cause) {
    // The header above is always valid, so this is a decoder defect, reported as such.
    throw new AudioError('UNSUPPORTED_ENCODING', `node-wav failed on ${layout.encoding} ${layout.bytesPerSample * 8}-bit data: ${String(cause)}`, input, { cause });
  }
  if (!decoded || decoded.channelData.length !== layout.channels)
    throw new AudioError('UNSUPPORTED_ENCODING', `node-wav returned no ${layout.channels}-channel data`, input);
  if (layout.encoding === 'pcm' && layout.bytesPerSample === 3) {
    for (const channel of decoded.channelData) {
      for (let i = 0; i < channel.length; i++) if (channel[i] > 1) channel[i] = -1;
    }
  }
  return decoded.channelData;
}

/** Decodes whole frames; `data.length` must be a multiple of channels * bytesPerSample. */
export function decodeSamples(layout: SampleLayout, data: Uint8Array, input: string): Float32Array[] {
  switch (layout.encoding) {
    case 'mulaw':
      return decodeG711(data, layout.channels, MULAW_TABLE);
    case 'alaw':
      return decodeG711(data, layout.channels, ALAW_TABLE);
    case 'pcm':
    case 'float':
      return decodeWithNodeWav(layout, data, input);
  }
}
