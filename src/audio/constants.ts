/**
 * The rate audio is brought to at the boundary, and the shortest audio worth decoding. They
 * live here, below the front end, because audio/ resamples to this rate and rejects input too
 * short for one analysis frame; features/config.ts builds the front end from the same values.
 */
export const SAMPLE_RATE = 16_000;
/** One 25 ms analysis window: 400 samples at SAMPLE_RATE. */
export const FRAME_LENGTH = (SAMPLE_RATE * 25) / 1000;
