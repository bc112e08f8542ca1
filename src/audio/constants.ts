/**
 * The rate audio is brought to at the boundary, and the shortest audio worth decoding. They
 * live here, below the front end, because audio/ resamples to this rate and rejects input too
 * short for one analysis frame; features/config.ts builds the front end from the same values.
 */
export const SAMPLE_RATE = 16_000;
/** One 25 ms analysis window: 400 samples at SAMPLE_RATE. */
export const FRAME_LENGTH = (SAMPLE_RATE * 25) / 1000;

/**
 * The rates audio may have, one range for every door: WAV headers and in-memory audio
 * (validate.ts), the server's start message, the resampler's input and output rates and a
 * decoder's targetRate. Below the floor no speech band survives (8 kHz telephony is the usual
 * low end); the ceiling is the highest rate common recorders write (DXD, 8 x 48 kHz), so a
 * larger one is a corrupt header or a mistake, and the resampler's tables stay bounded.
 */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384_000;
