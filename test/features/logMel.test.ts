import { describe, expect, it } from 'vitest';
import { AudioError, ConfigError } from '../../src/errors.ts';
import { DEFAULT_FRONTEND, computeLogMel, frameCount, melFilterbank, type FrontEndConfig } from '../../src/features/index.ts';
import { noise, ramp, sine } from './signals.ts';

const cfg = DEFAULT_FRONTEND;
const FLOOR = Math.fround(Math.log(1e-10));

/**
 * The contract (docs/contracts.md section 2) written out the slow, obvious way: a direct DFT
 * and a dense filterbank built here from the formulas, sharing no code with src/features.
 */
function referenceLogMel(samples: Float32Array, c: FrontEndConfig): number[][] {
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (Math.pow(10, m / 2595) - 1);
  const nBins = c.nFft / 2 + 1;
  const edges = Array.from({ length: c.nMels + 2 }, (_, i) => hz(mel(c.fMin) + ((mel(c.fMax) - mel(c.fMin)) * i) / (c.nMels + 1)));
  const rows: number[][] = [];
  for (let start = 0; start + c.frameLength <= samples.length; start += c.hopLength) {
    const x = Array.from({ length: c.frameLength }, (_, n) => samples[start + n] * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / c.frameLength)));
    const power = Array.from({ length: nBins }, (_, k) => {
      let re = 0;
      let im = 0;
      for (let n = 0; n < c.frameLength; n++) {
        re += x[n] * Math.cos((2 * Math.PI * k * n) / c.nFft);
        im -= x[n] * Math.sin((2 * Math.PI * k * n) / c.nFft);
      }
      return re * re + im * im;
    });
    rows.push(
      Array.from({ length: c.nMels }, (_, m) => {
        let e = 0;
        for (let k = 0; k < nBins; k++) {
          const f = (k * c.sampleRate) / c.nFft;
          const [l, ce, r] = [edges[m], edges[m + 1], edges[m + 2]];
          e += Math.max(0, Math.min((f - l) / (ce - l), (r - f) / (r - ce))) * power[k];
        }
        return Math.log(Math.max(e, c.logFloor));
      }),
    );
  }
  return rows;
}

describe('computeLogMel', () => {
  it('matches a direct-DFT reference of the contract on noise', () => {
    const samples = noise(400 + 160 * 5 + 37, 1);
    const got = computeLogMel(samples);
    const want = referenceLogMel(samples, cfg);
    expect(got.frames).toBe(want.length);
    expect(got.dim).toBe(80);
    let worst = 0;
    for (let t = 0; t < got.frames; t++)
      for (let d = 0; d < 80; d++) worst = Math.max(worst, Math.abs(got.data[t * 80 + d] - want[t][d]));
    expect(worst).toBeLessThan(1e-5);
  });

  it.each([
    [0, 0],
    [1, 0],
    [399, 0],
    [400, 1],
    [559, 1],
    [560, 2],
    [16000, 98],
  ])('a clip of %i samples has %i frames', (n, frames) => {
    expect(frameCount(n, cfg)).toBe(frames);
    const f = computeLogMel(new Float32Array(n));
    expect(f.frames).toBe(frames);
    expect(f.data.length).toBe(frames * 80);
  });

  it('gives the log floor everywhere for silence', () => {
    const f = computeLogMel(new Float32Array(16000));
    expect(f.frames).toBe(98);
    expect(f.data.every((v) => v === FLOOR)).toBe(true);
  });

  it.each([10, 25, 40, 55, 70, 78])('a sine at the centre of filter %i peaks in that filter', (m) => {
    const centre = melFilterbank(cfg).edgesHz[m + 1];
    const f = computeLogMel(sine(4000, centre, cfg.sampleRate));
    expect(f.frames).toBeGreaterThan(0);
    for (let t = 0; t < f.frames; t++) {
      const row = f.data.subarray(t * 80, t * 80 + 80);
      expect(row.indexOf(Math.max(...row))).toBe(m);
    }
  });

  it('adds ln 4 to every non-floor bin when the amplitude doubles (ramp)', () => {
    const x = ramp(8000, 97, 0.2);
    const x2 = x.map((v) => 2 * v);
    const a = computeLogMel(x);
    const b = computeLogMel(x2);
    let checked = 0;
    for (let i = 0; i < a.data.length; i++) {
      if (a.data[i] <= FLOOR + 1) continue;
      checked++;
      // float32 output of values below ~32 in magnitude: a few ulps of 4e-6
      expect(Math.abs(b.data[i] - a.data[i] - Math.log(4))).toBeLessThan(1e-5);
    }
    expect(checked).toBeGreaterThan(a.data.length / 2);
  });

  it('accepts Audio at the configured rate and rejects other rates', () => {
    const samples = noise(1000, 2);
    expect(computeLogMel({ samples, sampleRate: 16000 }).data).toEqual(computeLogMel(samples).data);
    expect(() => computeLogMel({ samples, sampleRate: 8000 }, cfg, 'a.wav')).toThrow(
      expect.objectContaining({ name: 'AudioError', code: 'BAD_SAMPLE_RATE', input: 'a.wav' }),
    );
  });

  // 1000 samples make frames at 0, 160, 320, 480 covering [0, 880); 0 has window weight 0,
  // 950 and 999 lie in the tail no frame reads.
  it.each([0, 1, 200, 399, 400, 559, 879, 880, 950, 999].flatMap((at) => [NaN, Infinity, -Infinity].map((bad) => [at, bad])))(
    'rejects sample %i = %s with a typed error naming the input and the sample',
    (at, bad) => {
      const samples = noise(1000, 3);
      samples[at] = bad;
      let err: unknown;
      try {
        computeLogMel(samples, cfg, 'clip-7');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AudioError);
      expect(err).toMatchObject({ code: 'NON_FINITE', input: 'clip-7', message: `clip-7: sample ${at} is ${bad}` });
    },
  );

  it('reports the first of several bad samples', () => {
    const samples = noise(1000, 3);
    samples[700] = NaN;
    samples[300] = Infinity;
    expect(() => computeLogMel(samples)).toThrow('sample 300 is Infinity');
  });

  it('checks the gaps between frames when hop > frameLength', () => {
    const sparse: FrontEndConfig = { ...cfg, hopLength: 500 };
    const samples = noise(2000, 4);
    expect(computeLogMel(samples, sparse).frames).toBe(4); // frames at 0, 500, 1000, 1500
    samples[450] = NaN; // in the gap [400, 500)
    expect(() => computeLogMel(samples, sparse)).toThrow('sample 450 is NaN');
  });

  it('rejects input that is not float samples', () => {
    expect(() => computeLogMel(new Float64Array(800) as unknown as Float32Array)).toThrow(AudioError);
  });

  it('rejects an invalid config', () => {
    expect(() => computeLogMel(noise(800, 4), { ...cfg, nFft: 300 })).toThrow(ConfigError);
    expect(() => computeLogMel(noise(800, 4), { ...cfg, fMax: 9000 })).toThrow(ConfigError);
  });

  it('honours a non-default config', () => {
    const small: FrontEndConfig = { ...cfg, nMels: 40, hopLength: 80, fMax: 4000 };
    const samples = noise(1200, 5);
    const f = computeLogMel(samples, small);
    expect(f.dim).toBe(40);
    expect(f.frames).toBe(frameCount(1200, small));
    const want = referenceLogMel(samples, small);
    for (let t = 0; t < f.frames; t++) for (let d = 0; d < 40; d++) expect(Math.abs(f.data[t * 40 + d] - want[t][d])).toBeLessThan(1e-5);
  });
});
