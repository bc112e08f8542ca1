import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type LoadedModel } from '../../src/model/index.ts';
import { floatOutput } from '../../src/model/tensors.ts';
import { randomFeatures, SHIPPED, TINY } from './fixture.ts';

/** Review item: NaN logits gave a silent empty transcript (argmax of NaN picks token 0). */
let model: LoadedModel;

/** One decoder step's inputs over a 4-frame window, all finite. */
function finiteStepBuffers() {
  const { stateDim, keyDim, memoryDim } = model.decoder.dims;
  const buffers = model.decoder.createBuffers(1, 4);
  buffers.tokens[0] = 5n;
  buffers.h.set(randomFeatures(stateDim, 1));
  buffers.c.set(randomFeatures(stateDim, 2));
  buffers.keys.set(randomFeatures(4 * keyDim, 3));
  buffers.memory.set(randomFeatures(4 * memoryDim, 4));
  buffers.mask.fill(1);
  return buffers;
}

// The tiny bundle's step has four float outputs; the shipped one packs them into one ("step"),
// and its int8 products quantize a NaN activation to a finite code, so its logits stay finite:
// the NaN state it computes is what shows.
describe.each([
  ['four outputs', TINY, /output "logits" holds NaN/],
  ['one packed output', SHIPPED, /output "step" \(h_out\) holds NaN/],
])('NaN from the graphs, decoder step with %s', (_, dir, message) => {
  beforeAll(async () => {
    model = await loadBundle(dir);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('a decoder step whose outputs come out NaN throws NON_FINITE_OUTPUT naming the graph', async () => {
    const buffers = finiteStepBuffers();
    // A poisoned state and memory, as broken weights (or an unchecked input) would give.
    buffers.h.fill(Number.NaN);
    buffers.c.fill(Number.NaN);
    buffers.memory.fill(Number.NaN);
    await expect(model.decoder.run(buffers, 1, 4)).rejects.toMatchObject({ code: 'NON_FINITE_OUTPUT', input: expect.stringMatching(/decoder_step(\.int8)?\.onnx$/), message: expect.stringMatching(message) });
  });

  it('finite inputs give finite outputs (no false alarm)', async () => {
    const buffers = finiteStepBuffers();
    const out = await model.decoder.run(buffers, 1, 4);
    expect(out.logits.every(Number.isFinite)).toBe(true);
  });
});

describe('floatOutput', () => {
  const outputsOf = (data: Float32Array) => ({ y: { type: 'float32', dims: [data.length], data } }) as unknown as Parameters<typeof floatOutput>[0];
  it('names the index of a NaN wherever it is (every place of arrays of 1 to 9 values), and passes infinities', () => {
    for (let n = 1; n <= 9; n++)
      for (let at = 0; at < n; at++) {
        const data = Float32Array.from({ length: n }, (_, i) => i - 3.5);
        data[(at + 1) % n] = Number.POSITIVE_INFINITY;
        expect(() => floatOutput(outputsOf(data), 'y', [-1], 'g.onnx')).not.toThrow();
        data[at] = Number.NaN;
        expect(() => floatOutput(outputsOf(data), 'y', [-1], 'g.onnx')).toThrow(new RegExp(`holds NaN at index ${at} of ${n}`));
      }
    const infinite = Float32Array.from([Number.NEGATIVE_INFINITY, 1, Number.POSITIVE_INFINITY, -2, 0]);
    expect(floatOutput(outputsOf(infinite), 'y', [5], 'g.onnx').data).toBe(infinite);
  });
});
