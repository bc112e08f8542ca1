import { AudioError, LasError } from '../errors.ts';
import { SAMPLE_RATE } from './constants.ts';
import type { Audio } from './types.ts';
import { createBlockDecoder } from './blockDecoder.ts';
import { assertChannels, assertSampleRate } from './validate.ts';
import type { SampleLayout } from './wavFormat.ts';

/** Raw signed 16-bit little-endian PCM, as `arecord -f S16_LE` or `ffmpeg -f s16le` write it. */
export interface PcmOptions {
  readonly sampleRate: number;
  readonly channels: number;
  /** Name used in error messages, e.g. "<microphone>" or the producing command. */
  readonly input: string;
  /** Output rate. Default: the front end's 16000 Hz. */
  readonly targetRate?: number;
}

const BYTES_PER_SAMPLE = 2;

export function validatePcmOptions(opts: PcmOptions): Required<PcmOptions> {
  const { sampleRate, channels, input } = opts;
  const targetRate = opts.targetRate ?? SAMPLE_RATE;
  assertSampleRate(sampleRate, input);
  assertChannels(channels, input);
  assertSampleRate(targetRate, input);
  return { sampleRate, channels, input, targetRate };
}

/**
 * Converts a byte stream of raw s16le PCM (a Node Readable such as a child process's stdout,
 * or any async iterable of bytes) into mono Audio chunks at `targetRate`. Chunk boundaries may
 * fall anywhere, even inside a sample: the partial frame is carried over to the next chunk.
 * A partial frame left when the stream ends is dropped (a producer killed mid-write leaves one).
 * A failing source becomes AudioError READ_FAILED. Length and finiteness are not checked here,
 * since a live source has no end to check against; apply assertUsable to the collected audio.
 */
export async function* pcmS16leChunks(source: AsyncIterable<unknown>, opts: PcmOptions): AsyncGenerator<Audio, void, undefined> {
  const { sampleRate, channels, input, targetRate } = validatePcmOptions(opts);
  const layout: SampleLayout = { encoding: 'pcm', channels, sampleRate, bytesPerSample: BYTES_PER_SAMPLE };
  const frameBytes = channels * BYTES_PER_SAMPLE;
  const decoder = createBlockDecoder(layout, targetRate, input);
  let carry = new Uint8Array(0);
  try {
    for await (const chunk of source) {
      if (!(chunk instanceof Uint8Array))
        throw new AudioError('READ_FAILED', `expected bytes from the PCM source, got ${typeof chunk} (was an encoding set on the stream?)`, input);
      const bytes = carry.length === 0 ? chunk : concatBytes(carry, chunk);
      const whole = bytes.length - (bytes.length % frameBytes);
      // Copied: the source may reuse its buffer after we return to it.
      carry = bytes.slice(whole);
      if (whole === 0) continue;
      const samples = decoder.push(bytes.subarray(0, whole));
      if (samples.length > 0) yield { samples, sampleRate: targetRate };
    }
  } catch (error) {
    if (error instanceof LasError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AudioError('READ_FAILED', `PCM source failed: ${reason}`, input, { cause: error });
  }
  const tail = decoder.flush();
  if (tail.length > 0) yield { samples: tail, sampleRate: targetRate };
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
