import { ConfigError } from '../errors.ts';

/**
 * The most utterances or files in flight at once (pipelines' concurrency, `las transcribe --jobs`,
 * `las worker --concurrency`): each holds its audio and encoder output, and the cores are the limit.
 */
export const MAX_CONCURRENCY = 64;

/**
 * The bound given to mergeMap: a whole number in 1..MAX_CONCURRENCY, default 1. mergeMap takes 0,
 * a negative number or NaN without complaint and then never subscribes to anything, so a batch
 * would wait for ever; this throws a ConfigError at assembly instead.
 */
export function validateConcurrency(concurrency: number | undefined, name = 'concurrency'): number {
  if (concurrency === undefined) return 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_CONCURRENCY))
    throw new ConfigError(`${name} must be an integer in 1..${MAX_CONCURRENCY}, got ${String(concurrency)}`, name);
  return concurrency;
}
