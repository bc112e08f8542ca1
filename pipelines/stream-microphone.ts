import { identity, NEVER, takeUntil, type Observable } from 'rxjs';
import type { MicrophoneOptions } from '../src/audio/microphone.ts';
import type { LoadedModel } from '../src/model/index.ts';
import { microphone } from '../src/rx/microphone.ts';
import { paceRealtime } from '../src/rx/paceRealtime.ts';
import { streamingRecognize } from '../src/rx/streamingRecognize.ts';
import { wavChunks } from '../src/rx/wavChunks.ts';
import type { StreamEvent } from '../src/streaming/events.ts';
import type { StreamingOptionsInput } from '../src/streaming/options.ts';

/** Where the audio comes from: the microphone, or a WAV file played as if it were one. */
export type LiveSource =
  | { readonly kind: 'microphone'; readonly microphone?: MicrophoneOptions }
  | { readonly kind: 'file'; readonly path: string; readonly realtime: boolean; readonly chunkSeconds?: number };

/**
 * Live recognition: microphone (or file) -> 16 kHz chunks -> streaming log-mel, VAD,
 * normalisation -> encoder chunks with carried state -> local or global decoding -> events.
 * When `stop` emits, the audio ends there (the recorder is stopped) and the last utterance is
 * finalised.
 */
export function streamMicrophone(model: LoadedModel, source: LiveSource, recognition: StreamingOptionsInput = {}, stop: Observable<unknown> = NEVER): Observable<StreamEvent> {
  const audio =
    source.kind === 'microphone'
      ? microphone({ targetRate: model.config.frontEnd.sampleRate, ...source.microphone })
      : wavChunks(source.path, { targetRate: model.config.frontEnd.sampleRate, chunkSeconds: source.chunkSeconds }).pipe(source.realtime ? paceRealtime() : identity);
  return audio.pipe(takeUntil(stop), streamingRecognize(model, recognition));
}
