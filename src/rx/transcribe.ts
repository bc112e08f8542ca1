import { mergeMap, type OperatorFunction } from 'rxjs';
import type { Audio } from '../audio/index.ts';
import { transcribe, type DecodingOptions, type LoadedModel, type SessionOptions, type TranscriptionResult } from '../offline/transcribe.ts';
import { validateDecodingOptions } from '../decoding/index.ts';
import { assertModesSupported } from '../model/index.ts';
import { validateConcurrency } from './concurrency.ts';
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
      assertModesSupported(model.facts, [decoding.mode]);
      return source.pipe(mergeMap((item) => track(mapItemAsync(item, (audio, id) => transcribe(audio, { ...decoding, model, input: id }))), concurrency));
    });
}
