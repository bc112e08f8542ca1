import { mergeMap, type OperatorFunction } from 'rxjs';
import type { Audio } from '../audio/index.ts';
import { ConfigError } from '../errors.ts';
import { transcribe, type DecodingOptions, type LoadedModel, type SessionOptions, type TranscriptionResult } from '../offline/transcribe.ts';
import { validateDecodingOptions } from '../decoding/index.ts';
import { mapItemAsync, type Item } from '../util/item.ts';
import { usingModel } from './usingModel.ts';

export interface TranscribeStageOptions {
  /** A loaded model (the caller owns it), or a bundle directory loaded for the stream's lifetime. */
  readonly model: LoadedModel | string;
  /** Session options when `model` is a directory. */
  readonly sessionOptions?: Partial<SessionOptions>;
  /** Mode, beam, windows... (src/decoding/options.ts); validated when the operator is built. */
  readonly decoding?: Partial<DecodingOptions>;
  /** Utterances decoded at once. Default 1 (output in input order). */
  readonly concurrency?: number;
}

/** The largest concurrency accepted: each utterance in flight holds its audio and encoder output. */
export const MAX_CONCURRENCY = 64;

export function validateConcurrency(value: number | undefined, input = 'concurrency'): number {
  const n = value ?? 1;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY)) throw new ConfigError(`concurrency must be an integer in 1..${MAX_CONCURRENCY}, got ${String(value)}`, input);
  return n;
}

/** Throws a ConfigError when the bundle was not trained for one of `modes`. */
export function assertModesSupported(model: LoadedModel, modes: readonly string[]): void {
  const missing = modes.filter((m) => !(model.config.attention.modes as readonly string[]).includes(m));
  if (missing.length > 0)
    throw new ConfigError(`the model supports attention modes ${model.config.attention.modes.join(', ')}, not ${missing.join(', ')}`, model.dir);
}

/**
 * Transcribes each audio item with one model and one set of decoding options.
 *
 * Errors: an utterance that cannot be transcribed (too short, silent...) fails its item and the
 * others go on (src/rx/item.ts). Bad options throw when the operator is built; a model that does
 * not load or lacks the mode ends the stream, since no item could succeed.
 */
export function transcribeAudio(options: TranscribeStageOptions): OperatorFunction<Item<Audio>, Item<TranscriptionResult>> {
  const decoding = validateDecodingOptions(options.decoding);
  const concurrency = validateConcurrency(options.concurrency);
  return (source) =>
    usingModel(options.model, options.sessionOptions, (model, track) => {
      assertModesSupported(model, [decoding.mode]);
      return source.pipe(mergeMap((item) => track(mapItemAsync(item, (audio, id) => transcribe(audio, { ...decoding, model, input: id }))), concurrency));
    });
}
