import { Observable, type OperatorFunction } from 'rxjs';
import type { Audio } from '../audio/types.ts';
import { ConfigError, LasError } from '../errors.ts';
import type { LoadedModel } from '../model/index.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { validateStreamingOptions, type StreamingOptionsInput } from '../streaming/options.ts';
import { createStreamingRecognizer } from '../streaming/recognizer.ts';

/** How much audio may wait for the recognizer. One read-only object; defaults below. */
export interface QueueOptions {
  /**
   * Audio waiting to be recognised beyond this many seconds ends the stream with an OVERLOADED
   * error (a live source cannot wait, so falling further behind only grows memory and lag). The
   * waiting chunks are dropped, the text so far is finalised, and the source is stopped.
   * Default Infinity: a source that completes on its own (a file read as fast as possible) is
   * recognised to its end.
   */
  readonly maxQueuedSeconds: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = Object.freeze({ maxQueuedSeconds: Number.POSITIVE_INFINITY });
/** For a live source (a microphone, or a file paced as one): a recognizer 5 s behind is no longer live. */
export const LIVE_MAX_QUEUED_SECONDS = 5;

export function validateQueueOptions(options: Partial<QueueOptions> = {}): QueueOptions {
  const o = { ...DEFAULT_QUEUE_OPTIONS, ...options };
  if (!(typeof o.maxQueuedSeconds === 'number' && o.maxQueuedSeconds > 0)) throw new ConfigError(`maxQueuedSeconds must be a positive number of seconds, got ${String(o.maxQueuedSeconds)}`, 'queue');
  return Object.freeze(o);
}

/**
 * Live recognition: audio chunks (at the model's rate) in, partial and final events out. Each
 * subscription has its own recognizer state; the model is shared. Chunks are processed one at
 * a time in order, so a slow model makes the stream lag, never reorder; the audio waiting is
 * bounded by `queue.maxQueuedSeconds`.
 *
 * Error policy: a failure of the source (the recorder died), a bad chunk or an overrun is data,
 * not a stream error: the utterance in progress is finalised with the text so far (a final
 * event with reason 'error'), an error event follows, and the stream completes. Only a bug (an
 * error that is not a LasError) errors the stream.
 */
export function streamingRecognize(model: LoadedModel, options: StreamingOptionsInput = {}, queue: Partial<QueueOptions> = {}): OperatorFunction<Audio, StreamEvent> {
  validateStreamingOptions(options); // fail at assembly, not at the first chunk
  const { maxQueuedSeconds } = validateQueueOptions(queue);
  return (source) =>
    new Observable<StreamEvent>((subscriber) => {
      const recognizer = createStreamingRecognizer(model, options);
      const waiting: Audio[] = [];
      let waitingSeconds = 0;
      let ended: { readonly error?: unknown } | undefined;
      let running = false;

      const emit = (events: readonly StreamEvent[]): boolean => {
        for (const event of events) {
          subscriber.next(event);
          if (event.type === 'error') {
            subscriber.complete();
            return false;
          }
        }
        return !subscriber.closed;
      };
      /** Recognises what waits, one chunk at a time; then, once the source has ended, finishes. */
      const drain = async () => {
        if (running) return;
        running = true;
        try {
          while (!subscriber.closed) {
            const chunk = waiting.shift();
            if (chunk !== undefined) {
              waitingSeconds -= chunk.samples.length / chunk.sampleRate;
              if (!emit(await recognizer.push(chunk))) break;
            } else if (ended !== undefined) {
              if (emit(await recognizer.finish(ended.error))) subscriber.complete();
              break;
            } else break;
          }
        } catch (error) {
          subscriber.error(error);
        } finally {
          running = false;
        }
      };

      const subscription = source.subscribe({
        next(chunk) {
          if (ended !== undefined) return;
          waiting.push(chunk);
          waitingSeconds += chunk.samples.length / chunk.sampleRate;
          if (waitingSeconds > maxQueuedSeconds) {
            const behind = waitingSeconds;
            waiting.length = 0;
            waitingSeconds = 0;
            ended = { error: new LasError('OVERLOADED', `audio arrives faster than it can be recognised: ${behind.toFixed(1)} s waiting, more than the ${maxQueuedSeconds} s allowed (the source runs faster than real time, or this machine is too slow for the model and mode)`, options.input ?? '<stream>') };
            queueMicrotask(() => subscription.unsubscribe()); // stops the recorder
          }
          void drain();
        },
        error(error) {
          ended ??= { error };
          void drain();
        },
        complete() {
          ended ??= {};
          void drain();
        },
      });
      return () => subscription.unsubscribe();
    });
}
