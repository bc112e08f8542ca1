import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadBundle, type LoadedModel, type StepBuffers } from '../../src/model/index.ts';
import { randomFeatures, SHIPPED, TINY } from './fixture.ts';

let model: LoadedModel;

/** Fills row `b` of buffers (stride `width`) with random inputs, `valid` frames unmasked. */
function fillRow(buffers: StepBuffers, b: number, width: number, valid: number, seed: number, token: number): void {
  const { stateDim, keyDim, memoryDim } = model.decoder.dims;
  buffers.tokens[b] = BigInt(token);
  buffers.h.set(randomFeatures(stateDim, seed), b * stateDim);
  buffers.c.set(randomFeatures(stateDim, seed + 1), b * stateDim);
  buffers.keys.fill(0, b * width * keyDim, (b + 1) * width * keyDim);
  buffers.keys.set(randomFeatures(valid * keyDim, seed + 2), b * width * keyDim);
  buffers.memory.fill(0, b * width * memoryDim, (b + 1) * width * memoryDim);
  buffers.memory.set(randomFeatures(valid * memoryDim, seed + 3), b * width * memoryDim);
  buffers.mask.fill(0, b * width, (b + 1) * width);
  buffers.mask.fill(1, b * width, b * width + valid);
}

// Both layouts of the step's results: four outputs (the tiny bundle) and one packed "step" (the shipped one).
describe.each([
  ['four outputs (tiny random bundle)', TINY, false],
  ['one packed output (shipped bundle, int8 step)', SHIPPED, true],
])('DecoderStep, %s', (_, dir, packed) => {
  beforeAll(async () => {
    model = await loadBundle(dir);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it(`reads the graph's layout (packed: ${packed})`, () => {
    expect(model.decoder.packed).toBe(packed);
  });

  it('with sharedFrames reads only row 0 of keys and memory, and gives what a copy per row gives', async () => {
    const { keyDim, memoryDim } = model.decoder.dims;
    const B = 3;
    const W = 5;
    const perRow = model.decoder.createBuffers(B, W);
    for (let b = 0; b < B; b++) fillRow(perRow, b, W, 4, 1, 5 + b); // the same frames in every row
    for (let b = 0; b < B; b++) perRow.h.set(randomFeatures(model.decoder.dims.stateDim, 40 + b), b * model.decoder.dims.stateDim);
    const shared = model.decoder.createBuffers(B, W);
    shared.tokens.set(perRow.tokens);
    shared.h.set(perRow.h);
    shared.c.set(perRow.c);
    shared.mask.set(perRow.mask);
    shared.keys.set(perRow.keys.subarray(0, W * keyDim));
    shared.memory.set(perRow.memory.subarray(0, W * memoryDim));
    shared.keys.fill(Number.NaN, W * keyDim); // rows 1.. must not be read
    shared.memory.fill(Number.NaN, W * memoryDim);
    const a = await model.decoder.run(perRow, B, W);
    const b = await model.decoder.run(shared, B, W, true);
    for (const key of ['logits', 'h', 'c', 'attn'] as const) {
      expect(b[key].length).toBe(a[key].length);
      a[key].forEach((x, i) => expect(b[key][i]).toBeCloseTo(x, 5));
    }
  });

  it('runs B hypotheses over W frames: logits [B, 31], h/c [B, D], attn [B, W] summing to 1 over the mask', async () => {
    const { stateDim, vocabSize } = model.decoder.dims;
    const B = 3;
    const W = 6;
    const valid = [6, 2, 4];
    const buffers = model.decoder.createBuffers(4, 8);
    valid.forEach((v, b) => fillRow(buffers, b, W, v, 10 * b, 5 + b));
    const out = await model.decoder.run(buffers, B, W);
    expect(out.logits.length).toBe(B * vocabSize);
    expect(out.h.length).toBe(B * stateDim);
    expect(out.c.length).toBe(B * stateDim);
    expect(out.attn.length).toBe(B * W);
    expect(out.logits.every(Number.isFinite)).toBe(true);
    valid.forEach((v, b) => {
      const row = out.attn.subarray(b * W, (b + 1) * W);
      expect(row.subarray(0, v).reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
      expect(Array.from(row.subarray(v))).toEqual(new Array(W - v).fill(0));
    });
  });

  it('gives a padded row the same result as that row alone, unpadded', async () => {
    const B = 2;
    const W = 7;
    const batch = model.decoder.createBuffers(B, W);
    fillRow(batch, 0, W, 7, 100, 9);
    fillRow(batch, 1, W, 3, 200, 12);
    const together = await model.decoder.run(batch, B, W);
    const alone = model.decoder.createBuffers(1, 3);
    fillRow(alone, 0, 3, 3, 200, 12);
    const single = await model.decoder.run(alone, 1, 3);
    const V = model.decoder.dims.vocabSize;
    const D = model.decoder.dims.stateDim;
    const close = (a: Float32Array, b: Float32Array) => a.every((x, i) => Math.abs(x - b[i]) < 1e-5);
    expect(close(together.logits.subarray(V, 2 * V), single.logits)).toBe(true);
    expect(close(together.h.subarray(D, 2 * D), single.h)).toBe(true);
    expect(close(together.c.subarray(D, 2 * D), single.c)).toBe(true);
    // h = o * tanh(c) lies inside (-1, 1); these cells, from a random c of spread about 1.5, go beyond it.
    expect(together.h.every((x) => Math.abs(x) < 1)).toBe(true);
    expect(together.c.some((x) => Math.abs(x) > 1)).toBe(true);
    expect(close(together.attn.subarray(W, W + 3), single.attn)).toBe(true);
  });

  it('is deterministic and depends on its inputs', async () => {
    const buffers = model.decoder.createBuffers(1, 4);
    fillRow(buffers, 0, 4, 4, 300, 7);
    const a = await model.decoder.run(buffers, 1, 4);
    const b = await model.decoder.run(buffers, 1, 4);
    expect(a).toEqual(b);
    buffers.tokens[0] = 8n;
    const c = await model.decoder.run(buffers, 1, 4);
    expect(c.logits).not.toEqual(a.logits);
  });

  // run() makes its input tensors once per buffers and shape (views of the buffers): a step
  // must still read what the buffers hold now, whatever shapes ran before.
  it('reads the buffers as they are at each step, through every shape it has run before', async () => {
    const B = 3;
    const W = 4;
    const reused = model.decoder.createBuffers(B, W);
    const shapes: [number, number, boolean][] = [
      [3, 4, false],
      [2, 3, false],
      [3, 4, true],
      [1, 2, false],
      [3, 4, false],
      [2, 3, false],
    ];
    const results = [];
    for (const [round, [batch, width, shared]] of shapes.entries()) {
      const fresh = model.decoder.createBuffers(B, W);
      for (const buffers of [reused, fresh]) for (let b = 0; b < batch; b++) fillRow(buffers, b, width, width - (b % 2), 500 + 10 * round + b, 4 + round + b);
      const a = await model.decoder.run(reused, batch, width, shared);
      expect(a).toEqual(await model.decoder.run(fresh, batch, width, shared));
      results.push(a.logits);
    }
    // The repeated shapes were given other inputs, and gave other outputs.
    expect(results[4]).not.toEqual(results[0]);
    expect(results[5]).not.toEqual(results[1]);
  });

  it('rejects a batch or width beyond its buffers', async () => {
    const buffers = model.decoder.createBuffers(2, 4);
    await expect(model.decoder.run(buffers, 3, 4)).rejects.toThrow(ConfigError);
    await expect(model.decoder.run(buffers, 1, 5)).rejects.toThrow(ConfigError);
    expect(() => model.decoder.createBuffers(0, 4)).toThrow(ConfigError);
  });
});
