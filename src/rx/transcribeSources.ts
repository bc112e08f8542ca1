import { mergeMap, type OperatorFunction } from 'rxjs';
import { decodeWav } from '../audio/index.ts';
import { validateDecodingOptions, type DecodingOptions } from '../decoding/index.ts';
import { transcribe, type LoadedModel, type TranscriptionResult } from '../offline/transcribe.ts';
import type { AudioSource } from './decodeAudio.ts';
import { mapItemAsync, ok, type Item } from '../util/item.ts';
import { validateConcurrency } from './concurrency.ts';
import { assertModesSupported } from '../model/index.ts';
import type { TranscribeStageOptions } from './transcribe.ts';
import { usingModel } from './usingModel.ts';

/**
 * Transcribes each source straight from where it is: a file is handed to transcribe() by path,
 * so it is read in blocks and decoded segment by segment with memory flat in its length (issue
 * 11 item 4), where decodeAudio() + transcribeAudio() would hold the whole decoded file. Bytes
 * already in memory (stdin, an upload) are decoded first.
 *
 * Errors as transcribeAudio: a source that cannot be read or transcribed fails its item and the
 * others go on; bad options throw when the operator is built; a model that does not load or
 * lacks the mode ends the stream.
 */
export function transcribeSources(options: TranscribeStageOptions): OperatorFunction<AudioSource | string, Item<TranscriptionResult>> {
  const decoding = validateDecodingOptions(options.decoding);
  const concurrency = validateConcurrency(options.concurrency);
  return (source) =>
    usingModel(options.model, options.sessionOptions, (model, track) => {
      assertModesSupported(model.facts, [decoding.mode]);
      return source.pipe(
        mergeMap((s) => {
          const src = typeof s === 'string' ? { id: s, path: s } : s;
          return track(mapItemAsync(ok(src.id, src), (value) => transcribeSource(model, decoding, value)));
        }, concurrency),
      );
    });
}

/**
 * One source as `las transcribe` decodes it: a file by path (read in blocks), bytes decoded
 * first; errors name the source's id. The queue's worker (src/queue) calls it too, so a job's
 * result is the one `las transcribe` gives for the same input.
 */
export async function transcribeSource(model: LoadedModel, decoding: Partial<DecodingOptions>, source: AudioSource): Promise<TranscriptionResult> {
  const options = { ...decoding, model, input: source.id };
  return 'path' in source ? transcribe(source.path, options) : transcribe(decodeWav(source.bytes, { input: source.id }), options);
}
