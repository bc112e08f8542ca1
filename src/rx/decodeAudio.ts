import { concatMap, from, type OperatorFunction } from 'rxjs';
import { decodeWav, readWavFile, type Audio } from '../audio/index.ts';
import { mapItemAsync, ok, type Item } from '../util/item.ts';

/** A file on disk, or bytes already in memory (stdin, an upload); `id` names it in errors. */
export type AudioSource =
  | { readonly id: string; readonly path: string }
  | { readonly id: string; readonly bytes: Uint8Array };

/**
 * Decodes each source to 16 kHz mono. A source that cannot be decoded becomes a Failed item
 * naming it (see item.ts for the error policy); the stream goes on with the next source.
 * Sources are decoded one at a time, in order: decoding is CPU-bound on one thread, so running
 * several at once would only reorder the output.
 */
export function decodeAudio(): OperatorFunction<AudioSource | string, Item<Audio>> {
  return concatMap((source) => {
    const src = typeof source === 'string' ? { id: source, path: source } : source;
    return from(
      mapItemAsync(ok(src.id, src), async (s) =>
        'path' in s ? readWavFile(s.path, { input: s.id }) : decodeWav(s.bytes, { input: s.id }),
      ),
    );
  });
}
