import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { validateDecodingOptions } from '../decoding/options.ts';
import { AudioError } from '../errors.ts';
import type { JobDecoding, SubtitleFormat } from './payload.ts';

/** SHA-256 of a file's bytes, hex, read in a stream (memory flat in the file's size). */
export async function hashFile(path: string, input: string = path): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (cause) {
    throw new AudioError('READ_FAILED', `cannot read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, input, { cause });
  }
  return hash.digest('hex');
}

export const hashBytes = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The job id: a hash of the content's hash and the options with their defaults filled in, so
 * the same audio asked for the same way is one job, whatever its path or spelling of the
 * options (`--beam 4` is the default). BullMQ ignores an add() under an id it already holds,
 * which makes queueing idempotent even between two producers racing.
 */
export function jobIdFor(sha256: string, decoding: JobDecoding, formats: readonly SubtitleFormat[]): string {
  const filled = validateDecodingOptions(decoding as Parameters<typeof validateDecodingOptions>[0]);
  const canonical = JSON.stringify({ sha256, decoding: sortKeys(filled), formats: [...formats].sort() });
  // A letter first: BullMQ reserves ids that are whole numbers for its own counter.
  return `t${createHash('sha256').update(canonical).digest('hex')}`;
}

function sortKeys(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
