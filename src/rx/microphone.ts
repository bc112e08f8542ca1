import { Observable } from 'rxjs';
import { recordMicrophone, type MicrophoneOptions } from '../audio/microphone.ts';
import type { Audio } from '../audio/types.ts';

/**
 * The live microphone as mono chunks at 16 kHz (see recordMicrophone). Each subscription runs
 * its own recorder process; unsubscribing kills it. The recorder's failures (not installed,
 * device does not open, dies mid-stream, writes no audio or not audio) end the stream with a
 * MicrophoneError; a recorder that exits cleanly completes it.
 */
export function microphone(options: MicrophoneOptions = {}): Observable<Audio> {
  return new Observable<Audio>((subscriber) => {
    const stop = new AbortController();
    (async () => {
      try {
        for await (const chunk of recordMicrophone(options, stop.signal)) {
          if (subscriber.closed) break;
          subscriber.next(chunk);
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => stop.abort();
  });
}
