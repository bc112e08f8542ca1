import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { createResampler, MAX_SAMPLE_RATE, resample, resampledLength } from '../../src/audio/index.ts';
import { concatFloat, db, firstDifference, fitTone, rms, sine } from './tone.ts';
import { randomInts } from './wavFixture.ts';

const TARGET = 16000;
const AMPLITUDE = 0.5;
const SECONDS = 0.5;
/** Output samples skipped at each end, where the filter sees the zeros around the clip. */
const EDGE = 800;

/** Rates in common use, and awkward ones whose ratio to 16 kHz does not reduce (quantised phases). */
const RATES = [8000, 11025, 22050, 32000, 44100, 48000, 96000, 7999, 44099];

describe('resample keeps passband tones', () => {
  const cases = RATES.flatMap((rate) =>
    [440, 3000, 7000].filter((f) => f < 0.9 * (Math.min(rate, TARGET) / 2)).map((f) => [rate, f] as const),
  );
  it.each(cases)('%i Hz -> 16 kHz, %i Hz tone: same frequency, amplitude and phase', (rate, frequency) => {
    const input = sine(frequency, rate, Math.round(rate * SECONDS), AMPLITUDE);
    const out = resample({ samples: input, sampleRate: rate }, TARGET);
    expect(out.sampleRate).toBe(TARGET);
    expect(out.samples.length).toBe(Math.ceil((input.length * TARGET) / rate));
    const fit = fitTone(out.samples, frequency, TARGET, EDGE, out.samples.length - EDGE);
    expect(Math.abs(db(fit.amplitude / AMPLITUDE))).toBeLessThan(0.01); // measured <= 0.001 dB
    expect(Math.abs(fit.phase)).toBeLessThan(1e-3); // no delay
    expect(fit.residualRms / AMPLITUDE).toBeLessThan(3e-4); // measured <= 1.2e-4 (quantised phases)
  });

  it('keeps a constant exactly constant (unit DC gain in every filter phase)', () => {
    for (const rate of [44100, 44099, 8000]) {
      const out = resample({ samples: new Float32Array(rate / 4 | 0).fill(0.3), sampleRate: rate }, TARGET).samples;
      for (let i = EDGE; i < out.length - EDGE; i++) expect(Math.abs(out[i] - 0.3)).toBeLessThan(1e-6);
    }
  });
});

describe('resample suppresses what cannot be represented', () => {
  const cases = [
    [22050, 9000], [32000, 8500], [32000, 12000], [44100, 8500], [44100, 10000], [44100, 12000],
    [44100, 20000], [48000, 9000], [48000, 15000], [96000, 30000], [384000, 100000], [44099, 10000],
  ] as const;
  it.each(cases)('%i Hz -> 16 kHz: a %i Hz tone is at least 80 dB down (no aliasing)', (rate, frequency) => {
    const input = sine(frequency, rate, Math.round(rate * 0.25), AMPLITUDE);
    const out = resample({ samples: input, sampleRate: rate }, TARGET).samples;
    // Measured 86 dB or more; the issue asks for 40.
    expect(db(rms(out, EDGE, out.length - EDGE) / rms(input))).toBeLessThan(-80);
  });

  it.each([
    [8000, 3000, 5000],
    [11025, 5000, 6025],
    [8000, 500, 7500],
  ])('%i Hz -> 16 kHz: a %i Hz tone leaves no image at %i Hz', (rate, frequency, image) => {
    const out = resample({ samples: sine(frequency, rate, rate / 2, AMPLITUDE), sampleRate: rate }, TARGET).samples;
    const fit = fitTone(out, image, TARGET, EDGE, out.length - EDGE);
    expect(db(fit.amplitude / AMPLITUDE)).toBeLessThan(-80);
  });
});

describe('createResampler streams', () => {
  it.each([44100, 8000, 48000, 44099, 16000])('%i Hz: any chunk split gives exactly the batch output', (rate) => {
    const input = sine(1234, rate, Math.round(rate * 0.4), AMPLITUDE);
    const batch = resample({ samples: input, sampleRate: rate }, TARGET).samples;
    for (const seed of [1, 2]) {
      // Chunk sizes from 0 (empty pushes) to a few thousand, single samples included.
      const sizes = randomInts(200, 0, 3000, seed * rate).map((n, i) => (i % 5 === 0 ? n % 3 : n));
      const resampler = createResampler(rate, TARGET);
      const parts: Float32Array[] = [];
      let pos = 0;
      for (const size of sizes) {
        if (pos >= input.length) break;
        parts.push(resampler.push(input.subarray(pos, pos + size)));
        pos += size;
      }
      parts.push(resampler.push(input.subarray(pos)));
      parts.push(resampler.flush());
      expect(firstDifference(concatFloat(parts), batch)).toBe(-1);
    }
  });

  it('resampledLength predicts the output length, including tiny inputs', () => {
    for (const rate of [8000, 44100, 7999, 16000, 48000]) {
      for (const n of [0, 1, 2, 3, 441, 1000]) {
        const out = resample({ samples: new Float32Array(n), sampleRate: rate }, TARGET).samples;
        expect(out.length).toBe(resampledLength(n, rate, TARGET));
        expect(out.length).toBe(Math.ceil((n * TARGET) / rate));
      }
    }
  });

  it('rejects bad rates and use after flush with ConfigError', () => {
    expect(() => createResampler(0, TARGET)).toThrow(ConfigError);
    expect(() => createResampler(44100.5, TARGET)).toThrow(ConfigError);
    expect(() => resample({ samples: new Float32Array(1), sampleRate: 8000 }, -1)).toThrow(ConfigError);
    // One ceiling for every door (audio/constants.ts): the highest rate is taken, one above it is not.
    expect(() => createResampler(MAX_SAMPLE_RATE, TARGET)).not.toThrow();
    expect(() => createResampler(MAX_SAMPLE_RATE + 1, TARGET)).toThrow(/1\.\.384000 Hz/);
    expect(() => createResampler(TARGET, MAX_SAMPLE_RATE + 1)).toThrow(ConfigError);
    const resampler = createResampler(8000, TARGET);
    resampler.flush();
    expect(() => resampler.push(new Float32Array(1))).toThrow(ConfigError);
  });

  it('same rate passes samples through unchanged', () => {
    const audio = { samples: Float32Array.from([0.1, -0.2, 0.3]), sampleRate: TARGET };
    expect(resample(audio, TARGET).samples).toEqual(audio.samples);
  });
});
