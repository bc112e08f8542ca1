import { map, type OperatorFunction } from 'rxjs';
import { assertUsable, type Audio } from '../audio/index.ts';
import { DEFAULT_FRONTEND, computeLogMel, normalise, validateFrontEnd, type Features, type FrontEndConfig, type NormStats } from '../features/index.ts';
import { mapItem, type Item } from '../util/item.ts';

/**
 * Whole-utterance log-mel features for each item, normalised with the bundle's statistics when
 * given. Audio shorter than one frame fails the item (TOO_SHORT), and so does audio at another rate than the front end's (resample first).
 */
export function logMelFrames(cfg: FrontEndConfig = DEFAULT_FRONTEND, stats?: NormStats): OperatorFunction<Item<Audio>, Item<Features>> {
  validateFrontEnd(cfg);
  return map((item) =>
    mapItem(item, (audio, id) => {
      assertUsable(audio, id); // shorter than one frame, NaN/Inf: a typed error, never zero frames
      const features = computeLogMel(audio, cfg, id);
      return stats ? normalise(features, stats, id) : features;
    }),
  );
}
