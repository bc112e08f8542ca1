import { concatSamples } from '../../src/util/float32.ts';

/** Signal helpers for the resampling tests. */

export function sine(frequency: number, sampleRate: number, length: number, amplitude: number, phase = 0): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate + phase);
  return out;
}

/**
 * Least-squares fit of a sinusoid at `frequency` over samples [from, to): its amplitude and the
 * RMS of what the fit leaves over. A tone that kept its frequency leaves almost nothing; a tone
 * that moved leaves nearly all of its power. `phase` is relative to sin(w i): 0 for a sine that
 * started at i = 0 and was not delayed.
 */
export function fitTone(x: Float32Array, frequency: number, sampleRate: number, from: number, to: number): { amplitude: number; phase: number; residualRms: number } {
  let ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
  const w = (2 * Math.PI * frequency) / sampleRate;
  for (let i = from; i < to; i++) {
    const s = Math.sin(w * i);
    const c = Math.cos(w * i);
    ss += s * s; cc += c * c; sc += s * c; xs += x[i] * s; xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let residual = 0;
  for (let i = from; i < to; i++) {
    const e = x[i] - a * Math.sin(w * i) - b * Math.cos(w * i);
    residual += e * e;
  }
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(b, a), residualRms: Math.sqrt(residual / (to - from)) };
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (to - from));
}

export function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}

/** Joins chunks into one array. */
export const concatFloat = concatSamples;

/** Index of the first sample where a and b differ (-1 if none); far faster than toEqual on big arrays. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
