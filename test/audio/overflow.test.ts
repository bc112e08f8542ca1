import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/audio/index.ts';
import { simpleWav } from './wavFixture.ts';

/** Issue 11, item 9: finite float32 data near FLT_MAX overflowed to Inf in the resampler. */
const FLT_MAX = 3.4028234663852886e38;

describe('float samples near the float32 limit', () => {
  it('a finite file that overflows when resampled is NON_FINITE, never Inf samples', () => {
    // A square wave at FLT_MAX: the band-limited filter rings past each edge (Gibbs).
    const samples = Array.from({ length: 4410 }, (_, i) => (Math.floor(i / 200) % 2 === 0 ? FLT_MAX : -FLT_MAX));
    const bytes = simpleWav([samples], 'float32', 44100);
    expect(() => decodeWav(bytes, { input: 'loud.wav' })).toThrow(expect.objectContaining({ code: 'NON_FINITE', input: 'loud.wav', message: expect.stringMatching(/resampled to 16000 Hz, sample \d+ .* is -?Infinity/) }));
  });

  it('the same values at 16 kHz need no resampling and decode as they are', () => {
    const samples = Array.from({ length: 1600 }, (_, i) => (i % 2 === 0 ? FLT_MAX : -FLT_MAX));
    const { samples: out } = decodeWav(simpleWav([samples], 'float32', 16000));
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('a large but safe float signal resamples to finite samples', () => {
    const samples = Array.from({ length: 4410 }, (_, i) => 1e30 * Math.sin(i / 10));
    expect(decodeWav(simpleWav([samples], 'float32', 44100)).samples.every(Number.isFinite)).toBe(true);
  });
});

describe('WebSocket f32 frames near the float32 limit', () => {
  it('are refused as BAD_FRAME before they reach the resampler', async () => {
    const { decodePcmFrame } = await import('../../src/server/protocol.ts');
    const frame = new Float32Array([0.5, 3e38, -0.5]);
    expect(decodePcmFrame(new Uint8Array(frame.buffer), 'f32')).toMatchObject({ ok: false, error: { code: 'BAD_FRAME', message: expect.stringMatching(/sample 1 /) } });
    expect(decodePcmFrame(new Uint8Array(new Float32Array([0.5, 900, -1]).buffer), 'f32').ok).toBe(true);
  });
});
