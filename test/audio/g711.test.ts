import { describe, expect, it } from 'vitest';
import { ALAW_TABLE, MULAW_TABLE, decodeG711 } from '../../src/audio/g711.ts';
import { linearToAlaw, linearToMulaw } from './wavFixture.ts';

describe('G.711 expansion', () => {
  it.each([
    ['mu-law', MULAW_TABLE, linearToMulaw],
    ['A-law', ALAW_TABLE, linearToAlaw],
  ] as const)('%s: distinct levels, odd symmetry, and compression inverts expansion', (_, table, compress) => {
    const values = Array.from(table);
    expect(Math.max(...values.map(Math.abs))).toBeLessThan(1);
    // Every code is its own level, except mu-law's +0 and -0.
    const sorted = [...values].sort((a, b) => a - b);
    const distinct = new Set(sorted).size;
    expect(distinct).toBe(table === MULAW_TABLE ? 255 : 256);
    for (let code = 0; code < 256; code++) {
      expect(table[code ^ 0x80] + table[code]).toBe(0); // flipping the sign bit negates
      // Compressing a decoded value gives back a code with the same value.
      expect(table[compress(Math.round(table[code] * 32768))]).toBe(table[code]);
    }
  });

  it('de-interleaves channels', () => {
    const planar = decodeG711(Uint8Array.from([0x80, 0x00, 0xff, 0x80]), 2, MULAW_TABLE);
    expect(planar.map((c) => Array.from(c))).toEqual([
      [MULAW_TABLE[0x80], MULAW_TABLE[0xff]],
      [MULAW_TABLE[0x00], MULAW_TABLE[0x80]],
    ]);
    expect(MULAW_TABLE[0x80]).toBeGreaterThan(0.98);
  });
});
