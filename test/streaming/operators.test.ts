import { join } from 'node:path';
import { concat as concatStreams, lastValueFrom, map, of, throwError, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile, type Audio } from '../../src/audio/index.ts';
import { AudioError } from '../../src/errors.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { paceRealtime } from '../../src/rx/paceRealtime.ts';
import { streamingRecognize } from '../../src/rx/streamingRecognize.ts';
import { wavChunks } from '../../src/rx/wavChunks.ts';
import { NO_ENDPOINTS } from '../../src/streaming/endpoint.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { finals, SAMPLES, TINY } from './helpers.ts';

const chunk = (ms: number): Audio => ({ samples: new Float32Array(16 * ms), sampleRate: 16000 });
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('paceRealtime (marbles)', () => {
  it('releases each chunk when the clock reaches the end of its audio', () => {
    const a = chunk(100);
    const b = chunk(100);
    const c = chunk(300);
    newScheduler().run(({ cold, expectObservable }) => {
      // All three arrive at once, as from a file; 100 + 100 + 300 ms of audio.
      const out = cold<Audio>('(abc|)', { a, b, c }).pipe(paceRealtime());
      expectObservable(out).toBe('100ms a 99ms b 299ms (c|)', { a, b, c });
    });
  });

  it('never holds back a chunk that arrives late', () => {
    const a = chunk(100);
    const b = chunk(100);
    newScheduler().run(({ cold, expectObservable }) => {
      const out = cold<Audio>('a 499ms b|', { a, b }).pipe(paceRealtime());
      expectObservable(out).toBe('100ms a 399ms b|', { a, b });
    });
  });
});

describe('streamingRecognize', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(TINY);
  });
  afterAll(() => model?.dispose());
  const WAV = join(SAMPLES, 'espeak-command.wav');

  it('recognises a WAV file read in 100 ms chunks: partials, then the final', async () => {
    const events = await lastValueFrom(wavChunks(WAV).pipe(streamingRecognize(model, { endpoint: NO_ENDPOINTS, restartOnEos: false }), toArray()));
    const { samples } = await readWavFile(WAV);
    expect(events.at(-1)).toMatchObject({ type: 'final', reason: 'end' });
    expect(events.filter((e) => e.type === 'partial').length).toBeGreaterThan(3);
    expect(events.at(-1)!.audioTime).toBeCloseTo(samples.length / 16000, 6);
  });

  it('a failing source ends the stream with the text so far and an error event, not a stream error', async () => {
    const source = concatStreams(wavChunks(WAV), throwError(() => new AudioError('READ_FAILED', 'unplugged', 'mic')));
    const events = await lastValueFrom(source.pipe(streamingRecognize(model, { endpoint: NO_ENDPOINTS }), toArray()));
    expect(events.slice(-2)).toMatchObject([
      { type: 'final', reason: 'error' },
      { type: 'error', code: 'READ_FAILED', input: 'mic' },
    ]);
    expect(finals(events).at(-1)!.text.length).toBeGreaterThan(0);
  });

  it('a bad chunk ends the stream after its error event; later chunks are not read', async () => {
    let pulled = 0;
    const source = of(chunk(500), { samples: new Float32Array(10), sampleRate: 8000 }, chunk(500)).pipe(map((c) => (pulled++, c)));
    const events = await lastValueFrom(source.pipe(streamingRecognize(model), toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'BAD_SAMPLE_RATE' });
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(pulled).toBeLessThanOrEqual(3);
  });

  it('rejects bad options when the pipeline is assembled', () => {
    expect(() => streamingRecognize(model, { chunkFrames: -1 })).toThrow(/chunkFrames/);
  });
});
