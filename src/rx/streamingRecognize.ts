import { concatMap, defer, materialize, takeWhile, type OperatorFunction } from 'rxjs';
import type { Audio } from '../audio/types.ts';
import type { LoadedModel } from '../model/index.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { validateStreamingOptions, type StreamingOptionsInput } from '../streaming/options.ts';
import { createStreamingRecognizer } from '../streaming/recognizer.ts';

/**
 * Live recognition: audio chunks (at the model's rate) in, partial and final events out. Each
 * subscription has its own recognizer state; the model is shared. Chunks are processed one at
 * a time in order (concatMap), so a slow model makes the stream lag, never reorder.
 *
 * Error policy: a failure of the source (the recorder died) or a bad chunk is data, not a
 * stream error: the utterance in progress is finalised with the text so far (a final event
 * with reason 'error'), an error event follows, and the stream completes. Only a bug (an error
 * that is not a LasError) errors the stream.
 */
export function streamingRecognize(model: LoadedModel, options: StreamingOptionsInput = {}): OperatorFunction<Audio, StreamEvent> {
  validateStreamingOptions(options); // fail at assembly, not at the first chunk
  return (source) =>
    defer(() => {
      const recognizer = createStreamingRecognizer(model, options);
      return source.pipe(
        materialize(),
        concatMap((n) => (n.kind === 'N' ? recognizer.push(n.value) : recognizer.finish(n.kind === 'E' ? (n.error ?? new Error('source failed')) : undefined))),
        concatMap((events) => events),
        takeWhile((event) => event.type !== 'error', true),
      );
    });
}
