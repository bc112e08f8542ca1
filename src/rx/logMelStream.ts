import { defer, finalize, filter, map, type OperatorFunction } from 'rxjs';
import type { Audio } from '../audio/index.ts';
import { DEFAULT_FRONTEND, createLogMelStream, validateFrontEnd, type Features, type FrontEndConfig } from '../features/index.ts';
import { AudioError } from '../errors.ts';

/**
 * Live log-mel: audio chunks of any size in, the frames they complete out (exactly the frames of
 * the batch computation on the concatenated audio). Each subscription has its own extractor
 * state. A chunk at the wrong rate or with NaN/Inf samples is an error of the live source and
 * ends the stream: there is no "next item" to go on with.
 */
export function logMelStream(cfg: FrontEndConfig = DEFAULT_FRONTEND, input = 'stream'): OperatorFunction<Audio, Features> {
  validateFrontEnd(cfg);
  return (source) =>
    defer(() => {
      const extractor = createLogMelStream(cfg, input);
      return source.pipe(
        map((chunk) => {
          if (chunk.sampleRate !== cfg.sampleRate)
            throw new AudioError('BAD_SAMPLE_RATE', `chunk at ${chunk.sampleRate} Hz, expected ${cfg.sampleRate} Hz (resample first)`, input);
          return extractor.push(chunk.samples);
        }),
        filter((features) => features.frames > 0),
        finalize(() => extractor.reset()),
      );
    });
}
