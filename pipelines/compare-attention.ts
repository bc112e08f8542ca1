import { concatMap, from, map, mergeMap, of, reduce, tap, type Observable } from 'rxjs';
import type { ModeName } from '../src/attention/index.ts';
import type { DecodingOptions } from '../src/decoding/index.ts';
import { addUtterance, emptyComparison, finishComparison } from '../src/report/comparison.ts';
import { referencesOf, type ManifestEntry } from '../src/report/manifest.ts';
import { writeComparison, type WrittenComparison } from '../src/report/writeComparison.ts';
import { validateConcurrency } from '../src/rx/concurrency.ts';
import { decodeAudio } from '../src/rx/decodeAudio.ts';
import type { Item } from '../src/util/item.ts';
import type { ModeResults } from '../src/report/results.ts';
import { transcribeModes } from '../src/rx/transcribeModes.ts';
import { usingModel } from '../src/rx/usingModel.ts';
import type { LoadedModel, SessionOptions } from '../src/offline/transcribe.ts';

export interface CompareAttentionOptions {
  readonly model: LoadedModel | string;
  readonly sessionOptions?: Partial<SessionOptions>;
  readonly modes: readonly ModeName[];
  /** Shared by every mode; the attention matrices are always requested (for the picture). */
  readonly decoding?: Partial<Omit<DecodingOptions, 'mode' | 'returnAttention'>>;
  readonly concurrency?: number;
  /** Where report.md, report.json and the SVGs go. */
  readonly outDir: string;
  /** Called as each utterance finishes (a progress bar). */
  readonly onUtterance?: (item: Item<ModeResults>) => void;
}

/**
 * Manifest entries -> decoded audio -> every mode on the same audio -> one comparison ->
 * report files. Emits once, after the report is written.
 */
export function compareAttention(entries: readonly ManifestEntry[], options: CompareAttentionOptions): Observable<WrittenComparison> {
  const concurrency = validateConcurrency(options.concurrency);
  return usingModel(options.model, options.sessionOptions, (model) =>
    from(entries).pipe(
      mergeMap((entry) => of(entry).pipe(decodeAudio(), transcribeModes({ model, modes: options.modes, decoding: { ...options.decoding, returnAttention: true } })), concurrency),
      tap((item) => options.onUtterance?.(item)),
      reduce(addUtterance, emptyComparison(options.modes, referencesOf(entries))),
      map(finishComparison),
      concatMap((comparison) => writeComparison(options.outDir, comparison)),
    ),
  );
}
