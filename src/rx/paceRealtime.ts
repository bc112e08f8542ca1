import { asyncScheduler, concatMap, defer, map, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { Audio } from '../audio/types.ts';

/**
 * Releases audio chunks at the pace they would come from a microphone: each one when the
 * clock reaches the end of the audio it holds, counted from the first chunk. A file played
 * through this behaves like a live recording (for demos and latency measurements).
 */
export function paceRealtime(scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<Audio> {
  return (source) =>
    defer(() => {
      let startedAt: number | undefined;
      let seconds = 0;
      return source.pipe(
        concatMap((chunk) => {
          startedAt ??= scheduler.now();
          seconds += chunk.samples.length / chunk.sampleRate;
          const due = startedAt + seconds * 1000 - scheduler.now();
          return timer(Math.max(0, due), scheduler).pipe(map(() => chunk));
        }),
      );
    });
}
