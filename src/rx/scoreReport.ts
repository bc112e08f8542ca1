import { map, toArray, type OperatorFunction } from 'rxjs';
import { poolScores, type PooledScore, type UtteranceScore } from '../metrics/index.ts';
import type { Failed, Item } from '../util/item.ts';

export interface ScoreReport {
  readonly rows: readonly UtteranceScore[];
  readonly failed: readonly Failed[];
  /** Pooled over the scored rows only; `failed` says what could not be scored. */
  readonly pooled: PooledScore;
}

/** Collects scored items into one corpus report when the stream completes. */
export function scoreReport(): OperatorFunction<Item<UtteranceScore>, ScoreReport> {
  return (source) =>
    source.pipe(
      toArray(),
      map((items) => {
        const rows = items.flatMap((i) => (i.ok ? [i.value] : []));
        const failed = items.filter((i): i is Failed => !i.ok);
        return { rows, failed, pooled: poolScores(rows) };
      }),
    );
}
