import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadBundle, type EncoderOutput, type LoadedModel } from '../../src/model/index.ts';
import { randomFeatures, TINY } from './fixture.ts';

let model: LoadedModel;
beforeAll(async () => {
  model = await loadBundle(TINY);
});
afterAll(async () => {
  await model?.dispose();
});

const DIM = 80;

function expectClose(a: Float32Array, b: Float32Array, tolerance: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

function expectSameFrames(part: EncoderOutput, whole: EncoderOutput, frames: number, tolerance: number): void {
  const { memoryDim, keyDim, vocabSize } = model.encoder.dims;
  expectClose(part.memory, whole.memory.subarray(0, frames * memoryDim), tolerance);
  expectClose(part.keys, whole.keys.subarray(0, frames * keyDim), tolerance);
  expectClose(part.ctcLogits, whole.ctcLogits.subarray(0, frames * vocabSize), tolerance);
}

describe('Encoder', () => {
  it('maps [T, 80] features to T/4 frames of memory, keys and CTC logits', async () => {
    const T = 48;
    const out = await model.encoder.encode(randomFeatures(T * DIM, 1), T);
    const { memoryDim, keyDim, vocabSize, subsampling } = model.encoder.dims;
    expect(subsampling).toBe(4);
    expect(vocabSize).toBe(31);
    expect(out.frames).toBe(T / 4);
    expect(out.memory.length).toBe((T / 4) * memoryDim);
    expect(out.keys.length).toBe((T / 4) * keyDim);
    expect(out.ctcLogits.length).toBe((T / 4) * vocabSize);
    for (const a of [out.memory, out.keys, out.ctcLogits]) expect(a.every(Number.isFinite)).toBe(true);
    // Different input, different output: the graph is not ignoring its features.
    const other = await model.encoder.encode(randomFeatures(T * DIM, 2), T);
    expect(other.memory).not.toEqual(out.memory);
  });

  it('keeps no state between calls: a call after another input gives what a first call gives', async () => {
    // The encoder carries state from chunk to chunk; each encode() must start from the initial state.
    const f = randomFeatures(40 * DIM, 3);
    const first = await model.encoder.encode(f, 40, 8);
    await model.encoder.encode(randomFeatures(40 * DIM, 5), 40, 8);
    expect(await model.encoder.encode(f, 40, 8)).toEqual(first);
  });

  it.each([4, 8, 20])('gives the same frames in chunks of %i as in one call', async (chunk) => {
    const T = 60;
    const f = randomFeatures(T * DIM, 4);
    const whole = await model.encoder.encode(f, T);
    const chunked = await model.encoder.encode(f, T, chunk);
    expect(chunked.frames).toBe(whole.frames);
    expectSameFrames(chunked, whole, whole.frames, 1e-4);
  });

  it('carries state explicitly through runChunk with uneven chunks', async () => {
    const T = 36;
    const f = randomFeatures(T * DIM, 5);
    const whole = await model.encoder.encode(f, T);
    let state = model.encoder.initialState();
    const initial = state;
    const parts: EncoderOutput[] = [];
    for (const [from, to] of [[0, 8], [8, 12], [12, 36]]) {
      const r = await model.encoder.runChunk(f.subarray(from * DIM, to * DIM), to - from, state, { final: to === T });
      parts.push(r.output);
      state = r.state;
    }
    // The initial state value is untouched (states are values).
    expect(initial.every((s) => Array.from(s.data as Float32Array).every((x) => x === 0))).toBe(true);
    const { memoryDim } = model.encoder.dims;
    const memory = new Float32Array(whole.memory.length);
    let row = 0;
    for (const p of parts) {
      memory.set(p.memory, row * memoryDim);
      row += p.frames;
    }
    expect(row).toBe(whole.frames);
    expectClose(memory, whole.memory, 1e-4);
  });

  it('drops the trailing partial frame of the final chunk (as training masks it)', async () => {
    const f = randomFeatures(43 * DIM, 6);
    const trimmed = await model.encoder.encode(f.subarray(0, 40 * DIM), 40);
    const partial = await model.encoder.encode(f, 43);
    expect(partial.frames).toBe(10);
    expectSameFrames(partial, trimmed, 10, 0);
    const chunked = await model.encoder.encode(f, 43, 8);
    expect(chunked.frames).toBe(10);
    expectSameFrames(chunked, trimmed, 10, 1e-4);
  });

  it('reads feature views at an offset correctly', async () => {
    const backing = randomFeatures(50 * DIM, 7);
    const view = backing.subarray(10 * DIM, 30 * DIM);
    const viaView = await model.encoder.encode(view, 20);
    const viaCopy = await model.encoder.encode(view.slice(), 20);
    expect(viaView).toEqual(viaCopy);
  });

  it('rejects a non-final chunk that is not a multiple of 4, too few frames, and a bad chunk size', async () => {
    const state = model.encoder.initialState();
    await expect(model.encoder.runChunk(randomFeatures(6 * DIM, 8), 6, state)).rejects.toThrow(ConfigError);
    await expect(model.encoder.runChunk(randomFeatures(4 * DIM, 8), 5, state, { final: true })).rejects.toThrow(/needs 400 values/);
    await expect(model.encoder.encode(randomFeatures(3 * DIM, 8), 3)).rejects.toThrow(ConfigError);
    await expect(model.encoder.encode(randomFeatures(16 * DIM, 8), 16, 6)).rejects.toThrow(/multiple of 4/);
  });
});
