import type { Audio } from './types.ts';
import { concatSamples } from '../util/float32.ts';
import { createBlockDecoder } from './blockDecoder.ts';
import { blockFrames, validateStreamOptions, type DecodeOptions } from './options.ts';
import { parseWavHeader, type WavHeader } from './riff.ts';
import { assertLongEnough } from './validate.ts';
import type { SampleEncoding } from './wavFormat.ts';

const MEMORY_INPUT = '<memory>';

/** What probeWav reports about a WAV file without decoding it. */
export interface WavInfo {
  readonly container: 'RIFF' | 'RF64';
  readonly format: SampleEncoding;
  /** As written in the file: 0x0001 PCM, 0x0003 float, 0x0006 A-law, 0x0007 mu-law, 0xFFFE EXTENSIBLE. */
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly frames: number;
  readonly durationSeconds: number;
}

export function headerInfo(header: WavHeader): WavInfo {
  const { container, encoding, formatTag, channels, sampleRate, bitsPerSample, blockAlign, dataOffset, dataBytes, frames } = header;
  return { container, format: encoding, formatTag, channels, sampleRate, bitsPerSample, blockAlign, dataOffset, dataBytes, frames, durationSeconds: frames / sampleRate };
}

/** Reads and checks the header of an in-memory WAV file; throws AudioError when it is unusable. */
export function probeWav(bytes: Uint8Array, opts: { readonly input?: string } = {}): WavInfo {
  return headerInfo(parseWavHeader(bytes, opts.input ?? MEMORY_INPUT));
}

/**
 * Decodes an in-memory WAV file to mono at `targetRate` (16 kHz by default). Throws AudioError
 * (naming `opts.input`) for anything that is not usable audio, including clips shorter than one
 * analysis frame and NaN/Inf samples.
 */
export function decodeWav(bytes: Uint8Array, opts: DecodeOptions = {}): Audio {
  const { input, targetRate } = validateStreamOptions(opts, MEMORY_INPUT);
  const header = parseWavHeader(bytes, input);
  assertLongEnough(header.frames, header.sampleRate, input);
  const decoder = createBlockDecoder(header, targetRate, input);
  // In blocks, so intermediate buffers (planar channels, the down-mix) stay small.
  const step = blockFrames(Infinity, header.sampleRate, header.blockAlign) * header.blockAlign;
  const parts: Float32Array[] = [];
  const end = header.dataOffset + header.dataBytes;
  for (let pos = header.dataOffset; pos < end; pos += step) parts.push(decoder.push(bytes.subarray(pos, Math.min(end, pos + step))));
  parts.push(decoder.flush());
  return { samples: concatSamples(parts), sampleRate: targetRate };
}
