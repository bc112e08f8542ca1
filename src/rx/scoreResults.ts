import { map, type OperatorFunction } from 'rxjs';
import { scoreUtterance, type NormalizeOptions } from '../metrics/index.ts';
import type { ScoredResult } from '../report/results.ts';
import type { TranscriptionResult } from '../offline/transcribe.ts';
import { mapItem, type Item } from '../util/item.ts';

/**
 * Attaches a WER/CER score to each transcription that has a reference (looked up by item id).
 * Unlike scoreAgainst, an item without a reference is not a failure here: its transcript is
 * still the output the user asked for, it just has nothing to be scored against.
 */
export function scoreResults(references: ReadonlyMap<string, string>, opts: Partial<NormalizeOptions> = {}): OperatorFunction<Item<TranscriptionResult>, Item<ScoredResult>> {
  return map((item) =>
    mapItem(item, (result, id) => {
      const ref = references.get(id);
      return ref === undefined ? { result } : { result, score: scoreUtterance(id, ref, result.text, opts) };
    }),
  );
}
