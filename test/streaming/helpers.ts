import { resolve } from 'node:path';
import type { Audio } from '../../src/audio/types.ts';
import type { DecoderStep, Encoder, LoadedModel } from '../../src/model/index.ts';
import { EOS_ID } from '../../src/model/vocab.ts';
import type { FinalEvent, StreamEvent } from '../../src/streaming/events.ts';
import type { StreamingOptionsInput } from '../../src/streaming/options.ts';
import { createStreamingRecognizer } from '../../src/streaming/recognizer.ts';
import { transcribe } from '../../src/offline/transcribe.ts';
import { concatSamples } from '../../src/util/float32.ts';
import { rng } from '../model/fixture.ts';

export { TINY, rng } from '../model/fixture.ts';
export const SAMPLES = resolve(import.meta.dirname, '../../samples');
export const RATE = 16000;

/** Gaussian-ish noise at `db` dB relative to a full-scale sine (RMS 1/sqrt 2), or digital silence for -Infinity. */
export function noise(seconds: number, db: number, seed = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  if (db === Number.NEGATIVE_INFINITY) return out;
  const r = rng(seed);
  const rms = Math.SQRT1_2 * 10 ** (db / 20);
  // Sum of three uniforms has variance 3/12 = 1/4.
  for (let i = 0; i < out.length; i++) out[i] = (r() + r() + r() - 1.5) * 2 * rms;
  return out;
}

/**
 * Noise whose loudness rises and falls four times a second, like syllables, at `db` dB at its
 * peaks. Steady noise is no speech to the VAD (it is its own noise floor); this is.
 */
export function speechLike(seconds: number, db: number, seed = 1): Float32Array {
  const out = noise(seconds, db, seed);
  for (let i = 0; i < out.length; i++) out[i] *= Math.abs(Math.sin((Math.PI * 4 * i) / RATE));
  return out;
}

export function concat(...parts: Float32Array[]): Float32Array {
  return concatSamples(parts);
}

/** Pushes `samples` in chunks of random sizes (seeded) and finishes; returns every event. */
export async function streamAll(model: LoadedModel, samples: Float32Array, options: StreamingOptionsInput, seed = 7, maxChunk = 4000): Promise<StreamEvent[]> {
  const recognizer = createStreamingRecognizer(model, options);
  const r = rng(seed);
  const events: StreamEvent[] = [];
  for (let i = 0; i < samples.length; ) {
    const n = 1 + Math.floor(r() * maxChunk);
    events.push(...(await recognizer.push({ samples: samples.subarray(i, i + n), sampleRate: RATE })));
    i += n;
  }
  events.push(...(await recognizer.finish()));
  return events;
}

export const finals = (events: readonly StreamEvent[]) => events.filter((e): e is FinalEvent => e.type === 'final');

/** The audio a final event says it was decoded from. */
export function segmentOf(samples: Float32Array, final: FinalEvent): Audio {
  return { samples: samples.subarray(Math.round(final.start * RATE), Math.round(final.end * RATE)), sampleRate: RATE };
}

/** Offline decoding of a final's audio as one utterance, with the same model and mode; beam and ctc weight default to the offline defaults, which a stream's finals use too. */
export async function offlineText(model: LoadedModel, samples: Float32Array, final: FinalEvent, mode: 'local' | 'global', beam?: number, ctcWeight?: number): Promise<string> {
  return (await transcribe(segmentOf(samples, final), { model, mode, segmentation: false, ...(beam === undefined ? {} : { beam }), ...(ctcWeight === undefined ? {} : { ctcWeight }) })).text;
}

/**
 * The model with its decoder forced to emit <eos> after `token` (a deterministic function of
 * the step's input), so tiny-random, which never ends by itself, exercises the <eos> paths.
 */
export function withEosAfter(model: LoadedModel, token: number): LoadedModel {
  const real = model.decoder;
  const { vocabSize } = real.dims;
  const decoder = {
    dims: real.dims,
    createBuffers: (batch: number, width: number) => real.createBuffers(batch, width),
    run: async (buffers: ReturnType<DecoderStep['createBuffers']>, batch: number, width: number) => {
      const out = await real.run(buffers, batch, width);
      for (let b = 0; b < batch; b++) if (buffers.tokens[b] === BigInt(token)) out.logits[b * vocabSize + EOS_ID] = 1e4;
      return out;
    },
    dispose: async () => {},
  } as unknown as DecoderStep;
  return { ...model, decoder };
}

/** The model with its encoder counting the feature frames it is run on. */
export function countingEncoder(model: LoadedModel): { model: LoadedModel; frames: () => number } {
  const real = model.encoder;
  let frames = 0;
  const encoder = {
    dims: real.dims,
    initialState: () => real.initialState(),
    runChunk: (features: Float32Array, n: number, state: Parameters<Encoder['runChunk']>[2], options?: Parameters<Encoder['runChunk']>[3]) => {
      frames += n;
      return real.runChunk(features, n, state, options);
    },
  } as unknown as Encoder;
  return { model: { ...model, encoder }, frames: () => frames };
}
