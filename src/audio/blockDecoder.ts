import { AudioError } from '../errors.ts';
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
  const float = layout.encoding === 'float';
  let framesSeen = 0;
  let samplesOut = 0;
  /**
   * Finite float samples near FLT_MAX can still overflow to Inf in the resampler (the filter
   * overshoots, and the result is stored as float32), so float data is checked again after it.
   * Integer and G.711 data lie in [-1, 1] and cannot overflow.
   */
  const checked = (out: Float32Array): Float32Array => {
    if (float) {
      for (let i = 0; i < out.length; i++) {
        if (Number.isFinite(out[i])) continue;
        const at = samplesOut + i;
        throw new AudioError('NON_FINITE', `resampled to ${targetRate} Hz, sample ${at} (${(at / targetRate).toFixed(3)} s) is ${out[i]}: input samples near the float32 limit`, input);
      }
    }
    samplesOut += out.length;
    return out;
  };
  return {
    push(frameBytes) {
      const mono = downmix(decodeSamples(layout, frameBytes, input));
      // Only float data can hold NaN/Inf. Checked before resampling too: one NaN would otherwise
      // smear over the filter length, and the error would not point at it.
      if (float) assertFinite(mono, layout.sampleRate, input, framesSeen);
      framesSeen += mono.length;
      return checked(resampler.push(mono));
    },
    flush: () => checked(resampler.flush()),
  };
}
