import { from, type Observable } from 'rxjs';
import type { DecodingOptions } from '../src/decoding/index.ts';
import { validateConcurrency } from '../src/rx/concurrency.ts';
import type { AudioSource } from '../src/rx/decodeAudio.ts';
import type { Item } from '../src/util/item.ts';
import type { ScoredResult } from '../src/report/results.ts';
import { scoreResults } from '../src/rx/scoreResults.ts';
import { transcribeSources } from '../src/rx/transcribeSources.ts';
import { usingModel } from '../src/rx/usingModel.ts';
import type { LoadedModel, SessionOptions } from '../src/offline/transcribe.ts';

export interface TranscribeFilesOptions {
  readonly model: LoadedModel | string;
  readonly sessionOptions?: Partial<SessionOptions>;
  readonly decoding?: Partial<DecodingOptions>;
  /** Files in flight at once (decoded audio is held only for these), 1..256. Default 1: input order. */
  readonly concurrency?: number;
  /** Reference transcripts by source id; inputs without one are transcribed, not scored. */
  readonly references?: ReadonlyMap<string, string>;
}

/**
 * Files (or in-memory WAV bytes) -> transcript -> optional score, one item per input. A bad
 * input becomes a Failed item and the others go on; a missing model ends the stream. A file is
 * read in blocks and decoded segment by segment (transcribeSources), so memory stays flat in its
 * length, and at most `concurrency` inputs are in flight.
 */
export function transcribeFiles(sources: readonly (AudioSource | string)[], options: TranscribeFilesOptions): Observable<Item<ScoredResult>> {
  const concurrency = validateConcurrency(options.concurrency);
  return usingModel(options.model, options.sessionOptions, (model) =>
    from(sources).pipe(
      transcribeSources({ model, ...(options.decoding === undefined ? {} : { decoding: options.decoding }), concurrency }),
      scoreResults(options.references ?? new Map()),
    ),
  );
}
