import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TranscriptionResult } from '../../src/offline/transcribe.ts';

/**
 * transcribe() is replaced by a fake that stays pending until the test releases it, so the
 * pipeline's files in flight can be counted at every step: ignored concurrency (one at a time)
 * and unbounded concurrency (every file at once) both give a different count.
 */
const fake = vi.hoisted(() => ({
  pending: [] as { id: string; release: () => void }[],
  inFlight: 0,
  result: undefined as ((id: string) => TranscriptionResult) | undefined,
}));

vi.mock('../../src/offline/transcribe.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/offline/transcribe.ts')>();
  const { fakeResult } = await import('../report/fakeResult.ts');
  fake.result = (id) => fakeResult({ text: id });
  return {
    ...real,
    transcribe: (_input: unknown, options: { input: string }) =>
      new Promise<TranscriptionResult>((resolve) => {
        fake.inFlight++;
        fake.pending.push({
          id: options.input,
          release: () => {
            fake.inFlight--;
            resolve(fake.result!(options.input));
          },
        });
      }),
  };
});

const { transcribeFiles } = await import('../../pipelines/transcribe-files.ts');
const { loadModel } = await import('../../src/offline/transcribe.ts');
const { TINY } = await import('../cli/runCli.ts');

let model: Awaited<ReturnType<typeof loadModel>>;
beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(async () => {
  await model?.dispose();
});

/** Lets every promise chain already under way run to its end (the pipeline starts the next file in microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `count` files; before each release of the oldest pending file, records how many are in flight. */
async function inFlightAtEachStep(count: number, concurrency: number | undefined) {
  fake.pending.length = 0;
  fake.inFlight = 0;
  const files = Array.from({ length: count }, (_, i) => `clip-${i}.wav`);
  const done = lastValueFrom(transcribeFiles(files, { model, decoding: { beam: 1 }, ...(concurrency === undefined ? {} : { concurrency }) }).pipe(toArray()));
  const counts: number[] = [];
  const started: string[] = [];
  for (let released = 0; released < count; released++) {
    await settle();
    counts.push(fake.inFlight);
    const next = fake.pending.shift();
    if (next === undefined) throw new Error(`no file in flight after ${released} of ${count} were released`);
    started.push(next.id);
    next.release();
  }
  const items = await done;
  return { counts, started, ids: items.map((i) => i.id), ok: items.every((i) => i.ok) };
}

describe('transcribe-files concurrency (files in flight counted with a fake transcribe)', () => {
  it('holds exactly `concurrency` files in flight while enough remain, never more', async () => {
    const run = await inFlightAtEachStep(8, 3);
    expect(run.counts).toEqual([3, 3, 3, 3, 3, 3, 2, 1]);
    expect(run.ok).toBe(true);
    expect([...run.ids].sort()).toEqual([...run.started].sort());
  });

  it('runs one file at a time by default, in input order', async () => {
    const run = await inFlightAtEachStep(4, undefined);
    expect(run.counts).toEqual([1, 1, 1, 1]);
    expect(run.ids).toEqual(['clip-0.wav', 'clip-1.wav', 'clip-2.wav', 'clip-3.wav']);
  });

  it('a concurrency above the number of files starts them all at once', async () => {
    const run = await inFlightAtEachStep(3, 16);
    expect(run.counts).toEqual([3, 2, 1]);
  });
});
