import { join } from 'node:path';
import { EMPTY } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SAMPLES, TINY } from './runCli.ts';

/** The pipeline is replaced so the options las transcribe hands it can be read; the pipeline's own tests check that it honours them. */
const calls = vi.hoisted(() => [] as { sources: unknown; options: { concurrency?: number } }[]);
vi.mock('../../pipelines/transcribe-files.ts', () => ({
  transcribeFiles: (sources: unknown, options: { concurrency?: number }) => {
    calls.push({ sources, options });
    return EMPTY;
  },
}));
const { transcribeCommand } = await import('../../src/cli/transcribe.ts');

const A = join(SAMPLES, 'espeak-digits.wav');
const B = join(SAMPLES, 'espeak-command.wav');

beforeEach(() => {
  calls.length = 0;
});

describe('las transcribe --jobs', () => {
  it('hands --jobs N to the pipeline as its concurrency', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await transcribeCommand.run(['--model', TINY, '--jobs', '3', A, B])).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0].sources).toEqual([A, B]);
    expect(calls[0].options.concurrency).toBe(3);
  });

  it('leaves the concurrency to the pipeline default without --jobs', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await transcribeCommand.run(['--model', TINY, A]);
    expect(calls[0].options.concurrency).toBeUndefined();
  });
});
