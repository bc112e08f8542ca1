import { FRAME_LENGTH, SAMPLE_RATE } from '../audio/constants.ts';
import { ConfigError } from '../errors.ts';

export { FRAME_LENGTH, SAMPLE_RATE };

/**
 * The acoustic front end, defined once. A model bundle records this object in its
 * config.json, and the training recipe (training/las/frontend.py) implements the very same
 * computation, so training and inference cannot drift apart (parity is tested to 1e-4).
 */
export interface FrontEndConfig {
  /** Input rate the features are defined at; audio is resampled to it at the boundary. */
  readonly sampleRate: number;
  /** Analysis window length in samples (25 ms). */
  readonly frameLength: number;
  /** Hop between frames in samples (10 ms). */
  readonly hopLength: number;
  /** FFT size; the windowed frame is zero-padded to it. */
  readonly nFft: number;
  /** Number of mel filters. */
  readonly nMels: number;
  /** Lowest and highest filter edge in Hz (HTK mel scale). */
  readonly fMin: number;
  readonly fMax: number;
  /** Mel energies are clamped to this before the natural log. */
  readonly logFloor: number;
  /** Window applied before the FFT. */
  readonly window: 'hann-periodic';
}

export const HOP_LENGTH = SAMPLE_RATE / 100; // 10 ms = 160 samples

export const DEFAULT_FRONTEND: FrontEndConfig = Object.freeze({
  sampleRate: SAMPLE_RATE,
  frameLength: FRAME_LENGTH,
  hopLength: HOP_LENGTH,
  nFft: 512,
  nMels: 80,
  fMin: 20,
  fMax: SAMPLE_RATE / 2,
  logFloor: 1e-10,
  window: 'hann-periodic',
});

/** Per-dimension normalisation statistics a bundle may supply: x' = (x - mean) / std. */
export interface NormStats {
  readonly mean: ArrayLike<number>;
  readonly std: ArrayLike<number>;
}

export function validateFrontEnd(cfg: FrontEndConfig): FrontEndConfig {
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!positiveInt(cfg.sampleRate)) throw new ConfigError(`sampleRate must be a positive integer, got ${cfg.sampleRate}`);
  if (!positiveInt(cfg.frameLength)) throw new ConfigError(`frameLength must be a positive integer, got ${cfg.frameLength}`);
  if (!positiveInt(cfg.hopLength)) throw new ConfigError(`hopLength must be a positive integer, got ${cfg.hopLength}`);
  if (!positiveInt(cfg.nFft) || (cfg.nFft & (cfg.nFft - 1)) !== 0 || cfg.nFft < cfg.frameLength)
    throw new ConfigError(`nFft must be a power of two >= frameLength, got ${cfg.nFft}`);
  if (!positiveInt(cfg.nMels)) throw new ConfigError(`nMels must be a positive integer, got ${cfg.nMels}`);
  if (!(cfg.fMin >= 0 && cfg.fMax > cfg.fMin && cfg.fMax <= cfg.sampleRate / 2))
    throw new ConfigError(`need 0 <= fMin < fMax <= sampleRate/2, got ${cfg.fMin}..${cfg.fMax}`);
  if (!(cfg.logFloor > 0)) throw new ConfigError(`logFloor must be > 0, got ${cfg.logFloor}`);
  if (cfg.window !== 'hann-periodic') throw new ConfigError(`unknown window ${String(cfg.window)}`);
  return cfg;
}
