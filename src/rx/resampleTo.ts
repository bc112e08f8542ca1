import { map, type OperatorFunction } from 'rxjs';
import { resample, type Audio } from '../audio/index.ts';
import { mapItem, type Item } from '../util/item.ts';

/** Brings every item's audio to `sampleRate` with the band-limited resampler (a no-op when equal). */
export function resampleTo(sampleRate: number): OperatorFunction<Item<Audio>, Item<Audio>> {
  return map((item) => mapItem(item, (audio) => (audio.sampleRate === sampleRate ? audio : resample(audio, sampleRate))));
}
