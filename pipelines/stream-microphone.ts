import { identity, NEVER, takeUntil, type Observable } from 'rxjs';
import type { MicrophoneOptions } from '../src/audio/microphone.ts';
import type { LoadedModel } from '../src/model/index.ts';
import { microphone } from '../src/rx/microphone.ts';
import { paceRealtime } from '../src/rx/paceRealtime.ts';
import { LIVE_MAX_QUEUED_SECONDS, streamingRecognize } from '../src/rx/streamingRecognize.ts';
import { wavBytesChunks, wavChunks } from '../src/rx/wavChunks.ts';
import type { StreamEvent } from '../src/streaming/events.ts';
import type { StreamingOptionsInput } from '../src/streaming/options.ts';

/** Where the audio comes from: the microphone, or a WAV file (or WAV bytes from stdin) played as if it were one. */
export type LiveSource =
  | { readonly kind: 'microphone'; readonly microphone?: MicrophoneOptions; readonly maxQueuedSeconds?: number }
  | { readonly kind: 'file'; readonly path: string; readonly realtime: boolean; readonly chunkSeconds?: number }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly input: string; readonly realtime: boolean; readonly chunkSeconds?: number };

/**
 * Live recognition: microphone (or file) -> 16 kHz chunks -> streaming log-mel, VAD,
 * normalisation -> encoder chunks with carried state -> local or global decoding -> events.
 * When `stop` emits, the audio ends there (the recorder is stopped) and the last utterance is
 * finalised. A live source that outruns recognition by more than `maxQueuedSeconds` (default
 * LIVE_MAX_QUEUED_SECONDS) ends with an OVERLOADED error; a file read as fast as possible waits.
 */
export function streamMicrophone(model: LoadedModel, source: LiveSource, recognition: StreamingOptionsInput = {}, stop: Observable<unknown> = NEVER): Observable<StreamEvent> {
  const targetRate = model.config.frontEnd.sampleRate;
  const audio =
    source.kind === 'microphone'
      ? microphone({ targetRate, ...source.microphone })
      : (source.kind === 'file'
          ? wavChunks(source.path, { targetRate, chunkSeconds: source.chunkSeconds })
          : wavBytesChunks(source.bytes, { input: source.input, targetRate, ...(source.chunkSeconds !== undefined ? { chunkSeconds: source.chunkSeconds } : {}) })
        ).pipe(source.realtime ? paceRealtime() : identity);
  const live = source.kind === 'microphone' || source.realtime;
  const queue = live ? { maxQueuedSeconds: (source.kind === 'microphone' ? source.maxQueuedSeconds : undefined) ?? LIVE_MAX_QUEUED_SECONDS } : {};
  return audio.pipe(takeUntil(stop), streamingRecognize(model, recognition, queue));
}
