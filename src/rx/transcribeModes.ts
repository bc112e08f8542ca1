import { mergeMap, type OperatorFunction } from 'rxjs';
import type { Audio } from '../audio/index.ts';
import { ConfigError } from '../errors.ts';
import { validateDecodingOptions, type DecodingOptions } from '../decoding/index.ts';
import type { ModeName } from '../attention/index.ts';
import { transcribe, type LoadedModel, type SessionOptions, type TranscriptionResult } from '../offline/transcribe.ts';
import type { ModeResults } from '../report/results.ts';
import { mapItemAsync, type Item } from '../util/item.ts';
import { assertModesSupported } from '../model/index.ts';
import { validateConcurrency } from './concurrency.ts';
import { usingModel } from './usingModel.ts';

export interface ModesStageOptions {
  readonly model: LoadedModel | string;
  readonly sessionOptions?: Partial<SessionOptions>;
  /** Each utterance is decoded once per mode, in this order. */
  readonly modes: readonly ModeName[];
  /** Everything but the mode, shared by every mode. */
  readonly decoding?: Partial<Omit<DecodingOptions, 'mode'>>;
  readonly concurrency?: number;
}

/**
 * Runs every attention mode on the same decoded audio of each item, for side-by-side
 * comparison. An utterance that fails in any mode fails its item (the modes read the same
 * audio, so such a failure is the audio's); the stream goes on with the next item.
 */
export function transcribeModes(options: ModesStageOptions): OperatorFunction<Item<Audio>, Item<ModeResults>> {
  if (options.modes.length === 0) throw new ConfigError('no attention modes to run', 'modes');
  if (new Set(options.modes).size !== options.modes.length) throw new ConfigError(`a mode is listed twice: ${options.modes.join(', ')}`, 'modes');
  const perMode = options.modes.map((mode) => validateDecodingOptions({ ...options.decoding, mode }));
  const concurrency = validateConcurrency(options.concurrency);
  return (source) =>
    usingModel(options.model, options.sessionOptions, (model, track) => {
      assertModesSupported(model.facts, options.modes, 'modes');
      const { frameSeconds } = model.facts;
      const runAll = async (audio: Audio, id: string): Promise<ModeResults> => {
        const results: TranscriptionResult[] = [];
        for (const decoding of perMode) results.push(await transcribe(audio, { ...decoding, model, input: id }));
        return { model: model.card.name, frameSeconds, results };
      };
      return source.pipe(mergeMap((item) => track(mapItemAsync(item, runAll)), concurrency));
    });
}
