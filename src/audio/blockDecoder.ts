import { downmix } from './downmix.ts';
import { createResampler } from './resample.ts';
import { decodeSamples } from './sampleDecode.ts';
import { assertFinite } from './validate.ts';
import type { SampleLayout } from './wavFormat.ts';

/**
 * The one conversion path every source shares (in-memory WAV, streamed WAV file, raw PCM):
 * interleaved bytes -> planar floats -> finite check -> channel average -> resampler.
 * Because batch decoding is this same object fed in blocks, streamed output equals batch output.
 */
export interface BlockDecoder {
  /** Decodes whole frames (length a multiple of the frame size); returns the output ready so far. */
  push(frameBytes: Uint8Array): Float32Array;
  /** Ends the input and returns the resampler's tail. */
  flush(): Float32Array;
}

export function createBlockDecoder(layout: SampleLayout, targetRate: number, input: string): BlockDecoder {
  const resampler = createResampler(layout.sampleRate, targetRate);
  let framesSeen = 0;
  return {
    push(frameBytes) {
      const mono = downmix(decodeSamples(layout, frameBytes, input));
      // Only float data can hold NaN/Inf. Checked before resampling: one NaN would otherwise
      // smear over the filter length.
      if (layout.encoding === 'float') assertFinite(mono, layout.sampleRate, input, framesSeen);
      framesSeen += mono.length;
      return resampler.push(mono);
    },
    flush: () => resampler.flush(),
  };
}

/** Joins output pieces into one buffer. */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
