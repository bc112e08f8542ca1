import { describe, expect, it } from 'vitest';
import { compareAttention } from '../../pipelines/compare-attention.ts';
import { transcribeFiles } from '../../pipelines/transcribe-files.ts';
import { ConfigError } from '../../src/errors.ts';
import { MAX_CONCURRENCY, validateConcurrency } from '../../src/rx/concurrency.ts';
import { TINY } from '../cli/runCli.ts';

/** Review item: mergeMap given 0, -1 or NaN never subscribes, so the batch never completed. */
const BAD = [0, -1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, MAX_CONCURRENCY + 1];

describe('pipeline concurrency', () => {
  it.each(BAD)('transcribeFiles and compareAttention refuse %s at assembly with a ConfigError', (concurrency) => {
    expect(() => transcribeFiles(['a.wav'], { model: TINY, concurrency })).toThrow(ConfigError);
    expect(() => compareAttention([], { model: TINY, modes: ['global'], outDir: '/nonexistent', concurrency })).toThrow(`concurrency must be an integer in 1..${MAX_CONCURRENCY}`);
  });

  it('defaults to 1 and accepts whole numbers in range', () => {
    expect(validateConcurrency(undefined)).toBe(1);
    expect(validateConcurrency(4)).toBe(4);
    expect(MAX_CONCURRENCY).toBe(64); // one cap for pipelines, las transcribe --jobs and las worker --concurrency
    expect(validateConcurrency(MAX_CONCURRENCY)).toBe(MAX_CONCURRENCY);
  });
});
