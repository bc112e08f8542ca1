import { describe, expect, it } from 'vitest';
import { AudioError, ConfigError } from '../../src/errors.ts';
import { assertUsable, decodeWav, downmix, encodeWav16, probeWav } from '../../src/audio/index.ts';
import { randomInts } from './wavFixture.ts';

describe('encodeWav16', () => {
  it('writes a canonical 44-byte mono PCM header', () => {
    const bytes = encodeWav16({ samples: new Float32Array(1000), sampleRate: 22050 });
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    const ascii = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
    expect([ascii(0), ascii(8), ascii(12), ascii(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    expect([v.getUint32(4, true), v.getUint32(16, true), v.getUint16(20, true), v.getUint16(22, true)]).toEqual([bytes.length - 8, 16, 1, 1]);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint16(32, true), v.getUint16(34, true), v.getUint32(40, true)]).toEqual([22050, 44100, 2, 16, 2000]);
    expect(bytes.length).toBe(44 + 2000);
  });

  it('round-trips through decodeWav exactly for 16-bit values, and clips out-of-range samples', () => {
    const ints = randomInts(2000, -32768, 32767, 3);
    const samples = Float32Array.from(ints, (x) => (x < 0 ? x / 32768 : x / 32767));
    const decoded = decodeWav(encodeWav16({ samples, sampleRate: 16000 })).samples;
    expect(Array.from(decoded)).toEqual(Array.from(samples));
    const clipped = decodeWav(encodeWav16({ samples: Float32Array.from({ length: 400 }, (_, i) => (i % 2 ? 3 : -3)), sampleRate: 16000 })).samples;
    expect(Array.from(clipped.subarray(0, 4))).toEqual([-1, 1, -1, 1]);
    expect(probeWav(encodeWav16({ samples, sampleRate: 16000 }))).toMatchObject({ frames: 2000, channels: 1, bitsPerSample: 16 });
  });

  it('refuses NaN and bad rates', () => {
    expect(() => encodeWav16({ samples: Float32Array.from([0, NaN]), sampleRate: 16000 })).toThrow(AudioError);
    expect(() => encodeWav16({ samples: new Float32Array(1), sampleRate: 0 })).toThrow(/sample rate 0/);
  });
});

describe('downmix', () => {
  it('averages channels and returns a lone channel as is', () => {
    const a = Float32Array.from([1, 0.5, -1]);
    const b = Float32Array.from([0, -0.5, -1]);
    const c = Float32Array.from([0.5, 0, 1]);
    expect(Array.from(downmix([a, b]))).toEqual([0.5, 0, -1]);
    expect(Array.from(downmix([a, b, c]))).toEqual(Array.from(Float32Array.from([0.5, 0, -1 / 3])));
    expect(downmix([a])).toBe(a);
    expect(() => downmix([])).toThrow(ConfigError);
    expect(() => downmix([a, new Float32Array(2)])).toThrow(ConfigError);
  });
});

describe('assertUsable (for audio from any source)', () => {
  const ok = (n: number, sampleRate = 16000) => ({ samples: new Float32Array(n).fill(0.1), sampleRate });
  it('accepts one frame or more', () => {
    expect(() => assertUsable(ok(400), 'x')).not.toThrow();
    expect(() => assertUsable(ok(200, 8000), 'x')).not.toThrow();
  });
  it.each([
    ['TOO_SHORT', ok(399), /399 samples/],
    ['TOO_SHORT', ok(199, 8000), /398 samples at 16000 Hz/],
    ['TOO_SHORT', ok(0), /0 samples/],
    ['NON_FINITE', { samples: Float32Array.from({ length: 800 }, (_, i) => (i === 700 ? Infinity : 0)), sampleRate: 16000 }, /sample 700 \(0\.044 s\) is Infinity/],
    ['BAD_SAMPLE_RATE', ok(400, 0), /sample rate 0/],
  ] as const)('%s', (code, audio, reason) => {
    let caught: unknown;
    try {
      assertUsable(audio, 'take-3.wav');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AudioError);
    expect((caught as AudioError).code).toBe(code);
    expect((caught as AudioError).message).toMatch(/^take-3\.wav: /);
    expect((caught as AudioError).message).toMatch(reason);
  });
});
