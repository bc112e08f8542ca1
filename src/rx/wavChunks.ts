import { defer, from, type Observable } from 'rxjs';
import { decodeWav } from '../audio/wav.ts';
import { streamWavFile } from '../audio/wavStream.ts';
import type { Audio } from '../audio/types.ts';

/** Default chunk of the live-like sources: 100 ms, about what a microphone delivers at once. */
const LIVE_CHUNK_SECONDS = 0.1;

/** A WAV file as a stream of small mono chunks at `targetRate`, read lazily (a live-like source). */
export function wavChunks(path: string, options: { readonly chunkSeconds?: number; readonly targetRate?: number } = {}): Observable<Audio> {
  return defer(() => from(streamWavFile(path, { chunkSeconds: options.chunkSeconds ?? LIVE_CHUNK_SECONDS, ...(options.targetRate !== undefined ? { targetRate: options.targetRate } : {}) })));
}

/**
 * A WAV already in memory (read from stdin) as the same stream of small chunks. Decoding errors
 * name `input` and end the stream before its first chunk.
 */
export function wavBytesChunks(bytes: Uint8Array, options: { readonly input: string; readonly chunkSeconds?: number; readonly targetRate?: number }): Observable<Audio> {
  return defer(() => {
    const audio = decodeWav(bytes, { input: options.input, ...(options.targetRate !== undefined ? { targetRate: options.targetRate } : {}) });
    const step = Math.max(1, Math.round((options.chunkSeconds ?? LIVE_CHUNK_SECONDS) * audio.sampleRate));
    const chunks: Audio[] = [];
    for (let at = 0; at < audio.samples.length; at += step) chunks.push({ samples: audio.samples.subarray(at, at + step), sampleRate: audio.sampleRate });
    return from(chunks);
  });
}
