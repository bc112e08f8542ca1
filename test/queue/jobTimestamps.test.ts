import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueueAddArgs } from '../../src/cli/queue.ts';
import { loadModel, type LoadedModel } from '../../src/offline/transcribe.ts';
import { jobDecoding, jobIdFor, processJob, type JobPayload } from '../../src/queue/index.ts';
import { hashBytes } from '../../src/queue/jobId.ts';
import { runCli, SAMPLES, TINY } from '../cli/runCli.ts';

/**
 * `las queue add --timestamps` reaches the worker's decode: a job queued with the flag is decoded
 * with that timestamp source, and its record's word times are `las transcribe`'s with the same
 * flag. No Redis: the job goes from the parsed arguments to processJob directly.
 */
const WAV = join(SAMPLES, 'flite-kal-sentence.wav');
const NOBODY = 'redis://127.0.0.1:1';
let model: LoadedModel;

beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(async () => {
  await model?.dispose();
});

/** The job `las queue add WAV <flags>` would queue (carried as bytes), and its id. */
function queued(flags: readonly string[]): { payload: JobPayload; id: string } {
  const parsed = parseQueueAddArgs([WAV, '--redis', NOBODY, ...flags]);
  const decoding = jobDecoding(parsed.decoding);
  const bytes = readFileSync(WAV);
  const payload: JobPayload = { version: 1, name: WAV, source: { kind: 'bytes', base64: bytes.toString('base64') }, sha256: hashBytes(bytes), decoding, formats: [] };
  return { payload, id: jobIdFor(payload.sha256, decoding, []) };
}

async function transcribedWords(flags: readonly string[]): Promise<unknown> {
  const run = await runCli(['transcribe', '--model', TINY, '--format', 'json', ...flags, WAV]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).words;
}

describe('las queue add --timestamps', () => {
  it('reaches the decoder: the job\'s word times are las transcribe\'s with the same flag', async () => {
    const attention = queued(['--timestamps', 'attention']);
    const byDefault = queued([]);
    expect(attention.payload.decoding.timestamps).toBe('attention');
    expect(attention.id).not.toBe(byDefault.id);
    expect(queued(['--timestamps', 'ctc']).id).toBe(byDefault.id); // ctc is the default: the same job
    const ctx = { model, inputRoots: [], worker: 'test' };
    const attentionWords = (await processJob(attention.payload, attention.id, 1, ctx)).record;
    const defaultWords = (await processJob(byDefault.payload, byDefault.id, 1, ctx)).record;
    expect(attentionWords).toHaveProperty('words', await transcribedWords(['--timestamps', 'attention']));
    expect(defaultWords).toHaveProperty('words', await transcribedWords([]));
    expect((attentionWords as { words: unknown }).words).not.toEqual((defaultWords as { words: unknown }).words);
  });

  it('another value is a usage error naming the flag (exit 2)', async () => {
    const run = await runCli(['queue', 'add', WAV, '--redis', NOBODY, '--timestamps', 'peaks']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timestamps must be one of ctc, attention, got "peaks"/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
