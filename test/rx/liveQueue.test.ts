import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom, NEVER, Subject, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamMicrophone } from '../../pipelines/stream-microphone.ts';
import type { Audio } from '../../src/audio/types.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { streamingRecognize } from '../../src/rx/streamingRecognize.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { listenForLifeline } from '../audio/lifeline.ts';
import { TINY } from '../streaming/helpers.ts';

/** Issue 11, item 6: a live source faster than recognition grew memory without bound. */
let model: LoadedModel;
let scratch: string;
beforeAll(async () => {
  model = await loadModel(TINY);
  scratch = mkdtempSync(join(tmpdir(), 'las-queue-'));
});
afterAll(async () => {
  await model?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const second = (): Audio => ({ samples: Float32Array.from({ length: 16000 }, (_, i) => 0.1 * Math.sin(i / 5)), sampleRate: 16000 });

describe('streamingRecognize with a bounded queue', () => {
  it('20 s arriving at once with 5 s allowed: OVERLOADED after the first chunk, the rest dropped, the source stopped', async () => {
    const source = new Subject<Audio>();
    let pushed = 0;
    const done = lastValueFrom(source.pipe(streamingRecognize(model, { mode: 'local', input: 'mic' }, { maxQueuedSeconds: 5 }), toArray()));
    for (let i = 0; i < 20 && source.observed; i++, pushed++) source.next(second());
    const events = await done;
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toEqual([expect.objectContaining({ code: 'OVERLOADED', input: 'mic', message: expect.stringMatching(/faster than it can be recognised/) })]);
    expect(events.at(-1)?.type).toBe('error');
    expect(events.at(-2)).toMatchObject({ type: 'final', reason: 'error' });
    // Only the chunk already being recognised was: its audio time is one second.
    expect(events.at(-1)).toMatchObject({ audioTime: 1 });
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(source.observed).toBe(false);
    expect(pushed).toBeGreaterThanOrEqual(6);
  });

  it('without a bound, every chunk is recognised (a file read as fast as possible)', async () => {
    const source = new Subject<Audio>();
    const done = lastValueFrom(source.pipe(streamingRecognize(model, { mode: 'local' }), toArray()));
    for (let i = 0; i < 8; i++) source.next(second());
    source.complete();
    const events = await done;
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'final', reason: 'end', audioTime: 8 });
  });

  it('rejects a bound that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => streamingRecognize(model, {}, { maxQueuedSeconds: bad })).toThrow(/maxQueuedSeconds/);
  });
});

describe('las listen with a recorder that writes faster than real time', () => {
  it('ends with OVERLOADED instead of growing, and the recorder is stopped', async () => {
    const lifeline = await listenForLifeline(scratch);
    try {
      // The flood never stops by itself: only the stream's teardown can end it.
      const recorder = { name: 'flood', command: process.execPath, args: [resolve(import.meta.dirname, '../audio/fixtures/flood.mjs')], env: lifeline.env };
      const events = await lastValueFrom(streamMicrophone(model, { kind: 'microphone', microphone: { recorder }, maxQueuedSeconds: 2 }, { mode: 'local' }, NEVER).pipe(toArray()));
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'OVERLOADED' });
      // The recorder was signalled when the stream ended; it is gone (or a zombie) once its end
      // of the lifeline closes. A recorder left running never closes it, and the test times out.
      await lifeline.ended;
    } finally {
      lifeline.close();
    }
  });
});
