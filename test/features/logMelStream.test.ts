import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/errors.ts';
import { DEFAULT_FRONTEND, computeLogMel, createLogMelStream, type Features } from '../../src/features/index.ts';
import { concatSamples } from '../../src/util/float32.ts';
import { noise, rng } from './signals.ts';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function concat(parts: Features[], dim: number): Float32Array {
  for (const p of parts) {
    expect(p.dim).toBe(dim);
    expect(p.data.length).toBe(p.frames * dim);
  }
  return concatSamples(parts.map((p) => p.data));
}

/** Splits [0, n) into chunks: mostly random sizes, with 1-sample and empty chunks mixed in. */
function randomSplit(n: number, seed: number, maxChunk: number): number[] {
  const next = rng(seed);
  const sizes: number[] = [];
  let left = n;
  while (left > 0) {
    const r = next();
    const size = r < 0.15 ? 0 : r < 0.35 ? 1 : 1 + Math.floor(next() * maxChunk);
    sizes.push(Math.min(size, left));
    left -= Math.min(size, left);
  }
  return sizes;
}

describe('createLogMelStream', () => {
  const samples = noise(16000 + 123, 11);
  const batch = computeLogMel(samples);

  it.each([
    [1, 50],
    [2, 400],
    [3, 1000],
    [4, 5000],
    [5, 3],
  ])('random chunk split (seed %i, max chunk %i) gives bitwise the batch frames', (seed, maxChunk) => {
    const stream = createLogMelStream();
    const parts: Features[] = [];
    let at = 0;
    for (const size of randomSplit(samples.length, seed, maxChunk)) {
      parts.push(stream.push(samples.subarray(at, at + size)));
      at += size;
      expect(stream.framesEmitted).toBe(parts.reduce((n, p) => n + p.frames, 0));
    }
    expect(at).toBe(samples.length);
    expect(stream.framesEmitted).toBe(batch.frames);
    expect(bytes(concat(parts, 80)).equals(bytes(batch.data))).toBe(true);
  });

  it('one sample at a time gives bitwise the batch frames', () => {
    const short = samples.subarray(0, 2000);
    const stream = createLogMelStream();
    const parts: Features[] = [];
    for (let i = 0; i < short.length; i++) parts.push(stream.push(short.subarray(i, i + 1)));
    const want = computeLogMel(short);
    expect(bytes(concat(parts, 80)).equals(bytes(want.data))).toBe(true);
    // A frame is emitted exactly when its last sample arrives.
    expect(parts[399].frames).toBe(1);
    expect(parts.slice(0, 399).every((p) => p.frames === 0)).toBe(true);
    expect(parts[559].frames).toBe(1);
  });

  it('keeps only the samples a later frame needs', () => {
    const stream = createLogMelStream();
    stream.push(samples.subarray(0, 399));
    expect(stream.pendingSamples).toBe(399);
    stream.push(samples.subarray(399, 1000)); // frames at 0,160,...,480 complete; next starts at 640
    expect(stream.framesEmitted).toBe(4);
    expect(stream.pendingSamples).toBe(1000 - 640);
  });

  it('reset starts a new utterance', () => {
    const stream = createLogMelStream();
    stream.push(noise(3000, 99));
    stream.push(noise(77, 98)); // leaves a partial frame behind
    stream.reset();
    expect(stream.framesEmitted).toBe(0);
    expect(stream.pendingSamples).toBe(0);
    const out = stream.push(samples);
    expect(bytes(out.data).equals(bytes(batch.data))).toBe(true);
  });

  it('rejects a bad chunk with a typed error naming the stream, chunk and sample, and keeps its state', () => {
    for (const at of [0, 37, 399, 500, 612]) {
      const stream = createLogMelStream(DEFAULT_FRONTEND, 'mic');
      const parts = [stream.push(samples.subarray(0, 250))];
      const bad = samples.slice(250, 250 + 613); // 863 samples: frames end at 400..800, tail 800..863
      bad[at] = NaN;
      expect(() => stream.push(bad)).toThrow(expect.objectContaining({ code: 'NON_FINITE', input: 'mic chunk 1', message: `mic chunk 1: sample ${at} is NaN` }));
      expect(stream.framesEmitted).toBe(0);
      expect(stream.pendingSamples).toBe(250);
      expect(() => stream.push({ samples: noise(10, 3), sampleRate: 44100 })).toThrow(
        expect.objectContaining({ code: 'BAD_SAMPLE_RATE', input: 'mic chunk 2' }),
      );
      parts.push(stream.push(samples.subarray(250)));
      expect(bytes(concat(parts, 80)).equals(bytes(batch.data))).toBe(true);
    }
  });

  it('a bad sample held back in the tail is rejected with the chunk that brought it', () => {
    const stream = createLogMelStream(DEFAULT_FRONTEND, 'mic');
    const chunk = noise(500, 8);
    chunk[480] = -Infinity; // no frame reads it yet (the next frame needs 560 samples)
    expect(() => stream.push(chunk)).toThrow('mic chunk 0: sample 480 is -Infinity');
  });

  it('equals batch when hop > frameLength leaves samples no frame reads', () => {
    const sparse = { ...DEFAULT_FRONTEND, hopLength: 530 };
    const want = computeLogMel(samples, sparse);
    for (const seed of [1, 2]) {
      const stream = createLogMelStream(sparse);
      const parts: Features[] = [];
      let at = 0;
      for (const size of randomSplit(samples.length, seed, 300)) {
        parts.push(stream.push(samples.subarray(at, at + size)));
        at += size;
      }
      expect(stream.framesEmitted).toBe(want.frames);
      expect(bytes(concat(parts, 80)).equals(bytes(want.data))).toBe(true);
    }
  });
});
