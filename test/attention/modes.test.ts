import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MODE_NAMES, MODES, getMode, type AnyAttentionMode, type AttentionStateBase } from '../../src/attention/index.ts';
import { ConfigError } from '../../src/errors.ts';

const PARAMS = { left: 3, right: 2 };

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random softmax weights over `n` entries (sum to 1) followed by `pad` zero entries. */
function randomWeights(random: () => number, n: number, pad: number): Float32Array {
  const w = new Float32Array(n + pad);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i] = Math.exp(4 * random());
  for (let i = 0; i < n; i++) w[i] /= sum;
  // Padding beyond the window is garbage that update() must ignore.
  for (let i = n; i < n + pad; i++) w[i] = 10;
  return w;
}

describe.each(MODE_NAMES.map((name) => [name]))('attention mode %s', (name) => {
  const mode: AnyAttentionMode = getMode(name, PARAMS);

  it('is registered under its own name', () => {
    expect(mode.name).toBe(name);
    expect(MODES[name](PARAMS).name).toBe(name);
  });

  it.each([1, 2, 7, 40])('keeps windows non-empty and within [0, %i) under random weights', (frames) => {
    const random = rng(frames * 7919 + name.length);
    let state: AttentionStateBase = mode.init(frames);
    let previousPointer = -1;
    for (let step = 0; step < 3 * frames + 5; step++) {
      const { start, end } = mode.window(state);
      expect(Number.isInteger(start) && Number.isInteger(end)).toBe(true);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(end).toBeLessThanOrEqual(frames);
      expect(end).toBeGreaterThan(start);
      if (name === 'global') expect([start, end]).toEqual([0, frames]);
      if (name === 'local') {
        expect(end - start).toBeLessThanOrEqual(PARAMS.left + PARAMS.right + 1);
        const pointer = (state as unknown as { pointer: number }).pointer;
        expect(pointer).toBeGreaterThanOrEqual(previousPointer);
        expect(start).toBe(Math.max(0, pointer - PARAMS.left));
        expect(end).toBe(Math.min(frames, pointer + PARAMS.right + 1));
        previousPointer = pointer;
      }
      const weights = randomWeights(random, end - start, 3);
      const sum = weights.subarray(0, end - start).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
      const next = mode.update(state, weights);
      expect(Object.isFrozen(next)).toBe(true);
      // update() returns a new value and never mutates the old one.
      expect(mode.window(state)).toEqual({ start, end });
      state = next;
    }
  });

  it('is ready mid-stream only when its window is complete, always at the end of input', () => {
    let state: AttentionStateBase = mode.init(2);
    expect(mode.isReady(state, true)).toBe(true);
    expect(mode.isReady(state, false)).toBe(name === 'local' ? PARAMS.right < 2 : false);
    state = mode.extend(state, PARAMS.right + 1);
    expect(state.framesAvailable).toBe(PARAMS.right + 1);
    expect(mode.isReady(state, false)).toBe(name === 'local');
    // extend never shrinks.
    expect(mode.extend(state, 1).framesAvailable).toBe(PARAMS.right + 1);
  });
});

describe('local monotonic pointer', () => {
  const mode = getMode('local', PARAMS);
  it('moves to the absolute frame of the peak and never back', () => {
    let state = mode.init(20);
    const onehot = (n: number, at: number) => Float32Array.from({ length: n }, (_, i) => (i === at ? 1 : 0));
    let w = mode.window(state); // [0, 3)
    state = mode.update(state, onehot(w.end - w.start, 2));
    expect(mode.window(state)).toEqual({ start: 0, end: 5 }); // pointer 2
    w = mode.window(state);
    state = mode.update(state, onehot(w.end - w.start, 4));
    expect(mode.window(state)).toEqual({ start: 1, end: 7 }); // pointer 4
    w = mode.window(state);
    state = mode.update(state, onehot(w.end - w.start, 0)); // peak at frame 1 < 4: stays
    expect(mode.window(state)).toEqual({ start: 1, end: 7 });
  });
});

describe('getMode', () => {
  it('names the unknown mode and the valid ones', () => {
    expect(() => getMode('monotonic-chunkwise', PARAMS)).toThrow(ConfigError);
    expect(() => getMode('monotonic-chunkwise', PARAMS)).toThrow(/monotonic-chunkwise.*global, local/);
  });
  it.each([[{ left: -1, right: 2 }], [{ left: 1.5, right: 2 }], [{ left: 1, right: Number.NaN }]])('rejects bad window sizes %j', (params) => {
    expect(() => getMode('local', params)).toThrow(ConfigError);
  });
});

interface LocalWindowCase {
  readonly name: string;
  readonly frames: number;
  readonly left: number;
  readonly right: number;
  readonly scores: number[][];
  readonly pointers: number[];
  readonly windows: [number, number][];
}

// One truth for two languages: training (training/las/decoder.py) reads the same file.
const LOCAL_CASES: LocalWindowCase[] = JSON.parse(
  readFileSync(new URL('../cases/local_window.json', import.meta.url), 'utf8'),
).cases;

describe('local window rule (test/cases/local_window.json, shared with pytest)', () => {
  it.each(LOCAL_CASES.map((c) => [c.name, c]))('%s', (_name, c) => {
    const mode = getMode('local', { left: c.left, right: c.right });
    let state = mode.init(c.frames);
    c.scores.forEach((row, step) => {
      expect((state as unknown as { pointer: number }).pointer, `pointer of step ${step}`).toBe(c.pointers[step]);
      const { start, end } = mode.window(state);
      expect([start, end], `window of step ${step}`).toEqual(c.windows[step]);
      // The decoder hands update() the weights of its window only; softmax keeps the argmax.
      state = mode.update(state, Float32Array.from(row.slice(start, end)));
    });
  });
});
