import { ConfigError } from '../errors.ts';
import { MAX_SAMPLE_RATE, SAMPLE_RATE } from './constants.ts';

/** Options for decoding a whole WAV (in memory or from a file). */
export interface DecodeOptions {
  /** Name used in error messages (a path, "<stdin>"...). Default: the path, or "<memory>". */
  readonly input?: string;
  /** Output rate. Default: the front end's 16000 Hz. */
  readonly targetRate?: number;
}

/** Options for reading a WAV file chunk by chunk. */
export interface StreamOptions extends DecodeOptions {
  /** Input seconds decoded per step (capped so one step never reads more than 4 MiB). Default 10. */
  readonly chunkSeconds?: number;
}

export const DEFAULT_CHUNK_SECONDS = 10;
/** Upper bound on the bytes decoded at once, so memory stays flat for any rate and channel count. */
export const MAX_BLOCK_BYTES = 4 << 20;

export interface ResolvedStreamOptions {
  readonly input: string;
  readonly targetRate: number;
  readonly chunkSeconds: number;
}

export function validateStreamOptions(opts: StreamOptions, defaultInput: string): ResolvedStreamOptions {
  const targetRate = opts.targetRate ?? SAMPLE_RATE;
  const chunkSeconds = opts.chunkSeconds ?? DEFAULT_CHUNK_SECONDS;
  const input = opts.input ?? defaultInput;
  if (!Number.isInteger(targetRate) || targetRate < 1 || targetRate > MAX_SAMPLE_RATE)
    throw new ConfigError(`targetRate must be an integer in 1..${MAX_SAMPLE_RATE} Hz, got ${targetRate}`, input);
  if (!(Number.isFinite(chunkSeconds) && chunkSeconds > 0)) throw new ConfigError(`chunkSeconds must be a positive number, got ${chunkSeconds}`, input);
  return { input, targetRate, chunkSeconds };
}

/** Frames per decoding step: chunkSeconds of audio, at most MAX_BLOCK_BYTES, at least one. */
export function blockFrames(chunkSeconds: number, sampleRate: number, blockAlign: number): number {
  return Math.max(1, Math.min(Math.round(chunkSeconds * sampleRate), Math.floor(MAX_BLOCK_BYTES / blockAlign)));
}
