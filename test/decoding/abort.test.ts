import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import type { Audio } from '../../src/audio/types.ts';
import { loadModel, transcribe, type LoadedModel } from '../../src/offline/transcribe.ts';
import { abortable } from '../../src/util/abortable.ts';
import { TINY } from '../model/fixture.ts';

const LONG = resolve(import.meta.dirname, '../../samples/longform-mixed.wav');
let model: LoadedModel;
let audio: Audio;
beforeAll(async () => {
  model = await loadModel(TINY);
  audio = await readWavFile(LONG);
});
afterAll(() => model?.dispose());

describe('transcribe with an AbortSignal', () => {
  it.each([true, false])('an already aborted signal rejects with its reason before any work (segmentation %s)', async (segmentation) => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(transcribe(LONG, { model, beam: 1, segmentation, signal: controller.signal })).rejects.toBe(reason);
  });

  it('aborting while a long recording is decoded stops at the next block, not at its end', async () => {
    // The signal aborts itself when it is checked the 4th time, i.e. a few 1 s blocks into the
    // 39 s recording: deterministic, whatever the machine's speed.
    const controller = new AbortController();
    const signal = controller.signal;
    let checks = 0;
    signal.throwIfAborted = function (this: AbortSignal) {
      if (++checks === 4) controller.abort();
      AbortSignal.prototype.throwIfAborted.call(this);
    };
    await expect(transcribe(audio, { model, beam: 1, signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(checks).toBe(4);
  });

  it('a signal that is not an AbortSignal is a ConfigError naming it', async () => {
    await expect(transcribe(audio, { model, signal: {} as AbortSignal })).rejects.toMatchObject({ name: 'ConfigError', input: 'signal' });
  });

  it('an unaborted signal changes nothing', async () => {
    const clip = { samples: audio.samples.subarray(0, 3 * 16000), sampleRate: 16000 };
    const plain = await transcribe(clip, { model, beam: 1 });
    const withSignal = await transcribe(clip, { model, beam: 1, signal: new AbortController().signal });
    expect(withSignal.text).toBe(plain.text);
  });
});

describe('abortable', () => {
  it('stops the iteration at the first item after the abort, and closes the source', async () => {
    const controller = new AbortController();
    let closed = false;
    function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const i of abortable(source(), controller.signal)) {
          seen.push(i);
          if (i === 2) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0, 1, 2]);
    expect(closed).toBe(true);
  });
});
