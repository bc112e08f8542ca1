import { map, type OperatorFunction } from 'rxjs';
import { LasError } from '../errors.ts';
import { scoreUtterance, type NormalizeOptions, type UtteranceScore } from '../metrics/index.ts';
import { mapItem, type Item } from '../util/item.ts';

/**
 * Scores each hypothesis against its reference transcript (looked up by item id). An item with
 * no reference fails with NO_REFERENCE rather than being scored against nothing.
 */
export function scoreAgainst(
  references: ReadonlyMap<string, string>,
  opts: Partial<NormalizeOptions> = {},
): OperatorFunction<Item<{ readonly text: string }>, Item<UtteranceScore>> {
  return map((item) =>
    mapItem(item, ({ text }, id) => {
      const ref = references.get(id);
      if (ref === undefined) throw new LasError('NO_REFERENCE', 'no reference transcript for this input', id);
      return scoreUtterance(id, ref, text, opts);
    }),
  );
}
