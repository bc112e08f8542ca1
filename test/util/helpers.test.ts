import { describe, expect, it } from 'vitest';
import { argmax } from '../../src/util/argmax.ts';
import { concatSamples, createFloat32Buffer } from '../../src/util/float32.ts';
import { stripUndefined } from '../../src/util/stripUndefined.ts';
import { assertKnownKeys } from '../../src/util/knownKeys.ts';
import { ConfigError } from '../../src/errors.ts';

describe('argmax', () => {
  it('finds the largest value, the first one on ties, within the first `length` values', () => {
    expect(argmax([0.1, 0.7, 0.2])).toBe(1);
    expect(argmax([3, 1, 3])).toBe(0);
    expect(argmax([0, 1, 2, 9], 3)).toBe(2);
    expect(argmax(Float32Array.of(-5, -1, -3))).toBe(1);
  });
});

describe('stripUndefined', () => {
  it('drops undefined entries only, so they cannot override a default', () => {
    const stripped = stripUndefined({ a: undefined, b: 0, c: null, d: '' });
    expect(stripped).toEqual({ b: 0, c: null, d: '' });
    expect('a' in stripped).toBe(false);
    expect({ a: 1, b: 2, ...stripUndefined({ a: undefined, b: 3 }) }).toEqual({ a: 1, b: 3 });
  });
});

describe('concatSamples', () => {
  it('joins the pieces in order, empty ones included', () => {
    const joined = concatSamples([Float32Array.of(1, 2), new Float32Array(0), Float32Array.of(3)]);
    expect(Array.from(joined)).toEqual([1, 2, 3]);
    expect(concatSamples([]).length).toBe(0);
  });
});

describe('createFloat32Buffer', () => {
  it('keeps appended data in order across growth, drops from the front and undoes from the end', () => {
    const buffer = createFloat32Buffer(2);
    const expected: number[] = [];
    for (let k = 0; k < 20; k++) {
      const piece = Float32Array.from({ length: k % 4 }, (_, i) => 10 * k + i);
      buffer.append(piece);
      expected.push(...piece);
      if (k % 5 === 4) {
        buffer.dropFront(3);
        expected.splice(0, 3);
      }
      expect(Array.from(buffer.view())).toEqual(expected);
      expect(buffer.length).toBe(expected.length);
    }
    const before = buffer.length;
    buffer.append(Float32Array.of(-1, -2));
    buffer.truncate(before);
    expect(Array.from(buffer.view())).toEqual(expected);
    buffer.dropFront(buffer.length + 5);
    expect(buffer.length).toBe(0);
    buffer.append(Float32Array.of(7));
    buffer.clear();
    expect(buffer.view().length).toBe(0);
  });
});

describe('assertKnownKeys', () => {
  it('passes known keys and refuses an unknown one or a non-object with a ConfigError naming it', () => {
    expect(() => assertKnownKeys({ a: 1, b: undefined }, ['a', 'b'], 'test')).not.toThrow();
    let error: unknown;
    try {
      assertKnownKeys({ a: 1, c: 2 }, ['a', 'b'], 'test');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).input).toBe('c');
    expect((error as ConfigError).message).toMatch(/unknown test option "c" \(known: a, b\)/);
    for (const bad of [null, 3, 'a', ['a']]) expect(() => assertKnownKeys(bad, ['a'], 'test')).toThrow(ConfigError);
  });
});
