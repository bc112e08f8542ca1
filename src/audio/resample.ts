import { ConfigError } from '../errors.ts';
import { concatSamples, createFloat32Buffer } from '../util/float32.ts';
import { MAX_SAMPLE_RATE } from './constants.ts';
import type { Audio } from './types.ts';

/**
 * Band-limited resampling: a Kaiser-windowed sinc evaluated polyphase, one filter phase per
 * distinct fractional input position. For rates in lowest terms L/M (out/in) there are L phases
 * (160 for 44.1k -> 16k); rates that reduce to a huge L share a quantised set of phases instead
 * (a timing error under 1/4096 sample, below -70 dB for any passband tone).
 *
 * The filter is specified relative to the lower of the two rates (its Nyquist is the band that
 * survives): flat to 90 % of that Nyquist, at least 80 dB down at the Nyquist itself, so tones
 * above it neither alias (downsampling) nor image (upsampling).
 */
const STOPBAND_DB = 80;
const PASSBAND_EDGE = 0.9; // fraction of the lower Nyquist kept flat
const STOPBAND_EDGE = 1.0; // fraction of the lower Nyquist where full attenuation is reached
/** Cut-off and transition width in cycles per sample at the lower rate. */
const CUTOFF = (PASSBAND_EDGE + STOPBAND_EDGE) / 4;
const TRANSITION = (STOPBAND_EDGE - PASSBAND_EDGE) / 2;
/** Kaiser's design formulas for beta and length from the attenuation and transition width. */
const KAISER_BETA = 0.1102 * (STOPBAND_DB - 8.7);
const HALF_WIDTH = Math.ceil((STOPBAND_DB - 7.95) / (14.36 * TRANSITION) / 2); // lower-rate samples each side
const MAX_PHASES = 4096;
const MAX_TABLE_FLOATS = 1 << 21; // 8 MiB of coefficients at most per rate pair

interface Kernel {
  readonly up: number; // L: output rate / gcd
  readonly down: number; // M: input rate / gcd
  readonly phases: number; // L, or fewer when quantised
  readonly reach: number; // K: taps cover input offsets -K+1 .. K around the output time
  readonly taps: number; // 2K
  readonly coeffs: Float32Array; // [phases, taps]
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; term > 1e-12 * sum; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * Kernels of the rate pairs used last, most recent at the end (a Map keeps insertion order).
 * Bounded because the rate can come from outside (a WebSocket client's start message): one
 * table is up to 8 MiB, so an unbounded cache grew by that much for every new rate sent.
 */
export const KERNEL_CACHE_ENTRIES = 4;
const kernels = new Map<string, Kernel>();

/** Rate pairs whose kernel is cached now (for tests and benchmarks). */
export function cachedKernelCount(): number {
  return kernels.size;
}

function kernelFor(fromRate: number, toRate: number): Kernel {
  const key = `${fromRate}:${toRate}`;
  const cached = kernels.get(key);
  if (cached) {
    kernels.delete(key);
    kernels.set(key, cached);
    return cached;
  }
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const scale = Math.min(1, toRate / fromRate); // lower rate / input rate
  const cutoff = CUTOFF * scale; // cycles per input sample
  const halfWidth = HALF_WIDTH / scale; // in input samples
  const reach = Math.ceil(halfWidth);
  const taps = 2 * reach;
  const phases = Math.min(up, MAX_PHASES, Math.max(1, Math.floor(MAX_TABLE_FLOATS / taps)));
  const coeffs = new Float32Array(phases * taps);
  const i0Beta = besselI0(KAISER_BETA);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases; // output time minus floor(output time), in input samples
    const row = p * taps;
    let sum = 0;
    for (let m = 0; m < taps; m++) {
      const offset = frac - (m - reach + 1); // output time minus this tap's input time
      const u = offset / halfWidth;
      if (Math.abs(u) >= 1) continue;
      const w = besselI0(KAISER_BETA * Math.sqrt(1 - u * u)) / i0Beta;
      const c = 2 * cutoff * sinc(2 * cutoff * offset) * w;
      coeffs[row + m] = c;
      sum += c;
    }
    // Unit DC gain in every phase, so a constant stays constant (no phase-periodic ripple).
    for (let m = 0; m < taps; m++) coeffs[row + m] /= sum;
  }
  const kernel: Kernel = { up, down, phases, reach, taps, coeffs };
  kernels.set(key, kernel);
  for (const oldest of kernels.keys()) {
    if (kernels.size <= KERNEL_CACHE_ENTRIES) break;
    kernels.delete(oldest);
  }
  return kernel;
}

function assertRate(rate: number, what: string): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_SAMPLE_RATE)
    throw new ConfigError(`${what} must be an integer in 1..${MAX_SAMPLE_RATE} Hz, got ${rate}`);
}

/** Number of samples resampling `frames` input samples produces: ceil(frames * to / from). */
export function resampledLength(frames: number, fromRate: number, toRate: number): number {
  if (fromRate === toRate) return frames;
  const g = gcd(fromRate, toRate);
  return Math.ceil((frames * (toRate / g)) / (fromRate / g));
}

/** A stateful resampler: feed chunks of any size, get exactly the batch output, in pieces. */
export interface Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Resamples the next chunk; returns the output samples that are now fully determined. */
  push(samples: Float32Array): Float32Array;
  /** Ends the stream (the signal is taken as zero after it) and returns the remaining output. */
  flush(): Float32Array;
}

export function createResampler(fromRate: number, toRate: number): Resampler {
  assertRate(fromRate, 'input sample rate');
  assertRate(toRate, 'output sample rate');
  let flushed = false;
  const checkOpen = () => {
    if (flushed) throw new ConfigError('resampler used after flush()');
  };
  if (fromRate === toRate) {
    return {
      fromRate,
      toRate,
      push: (samples) => (checkOpen(), samples.slice()),
      flush: () => (checkOpen(), (flushed = true), new Float32Array(0)),
    };
  }

  const { up, down, phases, reach, taps, coeffs } = kernelFor(fromRate, toRate);
  const exact = phases === up;
  // A quantised phase can round up to the next input sample, which needs one more sample ahead.
  const lookahead = exact ? reach : reach + 1;
  // Input history: its first sample is absolute input index historyStart. The signal is zero
  // before index 0, so the history starts with reach - 1 zeros.
  const history = createFloat32Buffer(Math.max(4096, 4 * taps));
  history.append(new Float32Array(reach - 1));
  let historyStart = -(reach - 1);
  // Next output time, in input samples: position + remainder / up.
  let position = 0;
  let remainder = 0;
  let received = 0;

  /** Emits every output whose time lies before input index `bound`. */
  const produce = (bound: number): Float32Array => {
    const count = bound > position ? Math.max(0, Math.ceil(((bound - position) * up - remainder) / down)) : 0;
    const out = new Float32Array(count);
    const buffer = history.view();
    for (let n = 0; n < count; n++) {
      let phase = exact ? remainder : Math.round((remainder * phases) / up);
      let base = position;
      if (phase === phases) {
        phase = 0;
        base += 1;
      }
      const start = base - reach + 1 - historyStart;
      const row = phase * taps;
      let acc = 0;
      for (let m = 0; m < taps; m++) acc += buffer[start + m] * coeffs[row + m];
      out[n] = acc;
      remainder += down;
      position += Math.floor(remainder / up);
      remainder %= up;
    }
    // Keep only the history the next output can reach back to.
    const drop = position - reach + 1 - historyStart;
    if (drop > 0) {
      history.dropFront(drop);
      historyStart += drop;
    }
    return out;
  };

  return {
    fromRate,
    toRate,
    push(samples) {
      checkOpen();
      history.append(samples);
      received += samples.length;
      return produce(historyStart + history.length - lookahead);
    },
    flush() {
      checkOpen();
      flushed = true;
      history.append(new Float32Array(lookahead));
      return produce(received);
    },
  };
}

/** Batch resampling; the same computation as one push() and flush() of createResampler. */
export function resample(audio: Audio, toRate: number): Audio {
  assertRate(toRate, 'output sample rate');
  if (audio.sampleRate === toRate) return audio;
  const resampler = createResampler(audio.sampleRate, toRate);
  const head = resampler.push(audio.samples);
  return { samples: concatSamples([head, resampler.flush()]), sampleRate: toRate };
}
