import { defer, from, type Observable } from 'rxjs';
import { streamWavFile } from '../audio/wavStream.ts';
import type { Audio } from '../audio/types.ts';

/** A WAV file as a stream of small mono chunks at `targetRate`, read lazily (a live-like source). */
export function wavChunks(path: string, options: { readonly chunkSeconds?: number; readonly targetRate?: number } = {}): Observable<Audio> {
  return defer(() => from(streamWavFile(path, { chunkSeconds: options.chunkSeconds ?? 0.1, ...(options.targetRate !== undefined ? { targetRate: options.targetRate } : {}) })));
}
