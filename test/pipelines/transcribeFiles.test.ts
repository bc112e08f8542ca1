import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribeFiles } from '../../pipelines/transcribe-files.ts';
import { readWavFile } from '../../src/audio/index.ts';
import { AudioError, ConfigError } from '../../src/errors.ts';
import { failed, ok, type Item } from '../../src/util/item.ts';
import { scoreResults } from '../../src/rx/scoreResults.ts';
import { transcribeAudio } from '../../src/rx/transcribe.ts';
import { loadModel, transcribe, type LoadedModel, type TranscriptionResult } from '../../src/offline/transcribe.ts';
import { copyBundle } from '../model/fixture.ts';
import { fakeResult } from '../report/fakeResult.ts';
import { SAMPLES, TINY } from '../cli/runCli.ts';
import { from } from 'rxjs';

const A = join(SAMPLES, 'espeak-digits.wav');
const B = join(SAMPLES, 'espeak-command.wav');
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(async () => {
  await model?.dispose();
});

describe('transcribe-files pipeline', () => {
  it('gives one item per input in input order; a bad input fails alone; references score matched inputs only', async () => {
    const items = await lastValueFrom(
      transcribeFiles([A, { id: 'mem', bytes: new Uint8Array([1, 2, 3]) }, { id: 'b-bytes', bytes: readFileSync(B) }], {
        model,
        decoding: { beam: 1 },
        references: new Map([[A, 'three seven one nine four']]),
      }).pipe(toArray()),
    );
    expect(items.map((i) => [i.id, i.ok])).toEqual([[A, true], ['mem', false], ['b-bytes', true]]);
    const [a, bad, b] = items;
    expect(!bad.ok && bad.error).toBeInstanceOf(AudioError);
    expect(a.ok && a.value.score).toMatchObject({ id: A, N: 5 });
    expect(b.ok && b.value.score).toBeUndefined();
    // the same as the library call on the same file: the pipeline adds nothing of its own
    const direct = await transcribe(B, { model, beam: 1 });
    expect(b.ok && b.value.result.text).toBe(direct.text);
  });

  it('leaves a caller-owned model open, and loads and releases a directory itself', async () => {
    const viaDir = await lastValueFrom(transcribeFiles([A], { model: TINY, decoding: { beam: 1 } }).pipe(toArray()));
    const viaModel = await lastValueFrom(transcribeFiles([A], { model, decoding: { beam: 1 } }).pipe(toArray()));
    const textViaModel = viaModel[0].ok ? viaModel[0].value.result.text : undefined;
    expect(textViaModel).toMatch(/\S/);
    expect(viaDir[0].ok && viaDir[0].value.result.text).toBe(textViaModel);
    // still usable: a released session would reject this run
    expect((await transcribe(A, { model, beam: 1 })).text).toBe(textViaModel);
  });

  it('gives the same items, in input order, with several files in flight as with one (files in flight are counted in transcribeFilesConcurrency.test.ts)', async () => {
    const files = [A, B, A, B];
    const texts = (items: Item<{ result: TranscriptionResult }>[]) => items.map((i) => [i.id, i.ok && i.value.result.text]);
    const serial = await lastValueFrom(transcribeFiles(files, { model, decoding: { beam: 1 } }).pipe(toArray()));
    expect(serial.map((i) => i.id)).toEqual(files);
    const parallel = await lastValueFrom(transcribeFiles(files, { model, decoding: { beam: 1 }, concurrency: 3 }).pipe(toArray()));
    const byId = (rows: unknown[][]) => [...rows].sort((x, y) => String(x).localeCompare(String(y)));
    expect(byId(texts(parallel))).toEqual(byId(texts(serial)));
  });
});

describe('transcribeAudio operator', () => {
  it('rejects bad options when built, before any model is loaded', () => {
    expect(() => transcribeAudio({ model: '/nowhere', decoding: { beam: 0 } })).toThrow(ConfigError);
    expect(() => transcribeAudio({ model: '/nowhere', concurrency: 0 })).toThrow(ConfigError);
  });

  it('ends the stream when the model lacks the mode, since no item could succeed', async () => {
    const bundle = copyBundle((c) => (c.attention.modes = ['global']));
    try {
      const audio = await readWavFile(A);
      const run = lastValueFrom(from([ok('a', audio)]).pipe(transcribeAudio({ model: bundle.dir, decoding: { mode: 'local' } })));
      await expect(run).rejects.toThrow(/supports attention modes global, not "local"/);
    } finally {
      bundle.cleanup();
    }
  });

  it('passes failed items through untouched and fails a too-short utterance alone', async () => {
    const bad = failed('x', new AudioError('NOT_WAV', 'no RIFF', 'x'));
    const short = ok('short', { samples: new Float32Array(100).fill(0.1), sampleRate: 16000 });
    const good = ok('good', await readWavFile(A));
    const items = await lastValueFrom(from([bad, short, good] as Item<{ samples: Float32Array; sampleRate: number }>[]).pipe(transcribeAudio({ model, decoding: { beam: 1 } }), toArray()));
    expect(items[0]).toBe(bad);
    expect(items[1]).toMatchObject({ id: 'short', ok: false, error: { code: 'TOO_SHORT', input: 'short' } });
    expect(items[2]).toMatchObject({ id: 'good', ok: true });
  });
});

describe('scoreResults operator (marbles)', () => {
  it('scores items with a reference, passes the others and failures through', () => {
    const r = (text: string): Item<TranscriptionResult> => ok(text, fakeResult({ text }));
    const bad = failed('bad', new AudioError('EMPTY', 'zero bytes', 'bad'));
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const out = cold('a-b-c|', { a: r('one two'), b: bad, c: r('three') }).pipe(scoreResults(new Map([['one two', 'one too']])));
      expectObservable(out).toBe('a-b-c|', {
        a: ok('one two', { result: expect.objectContaining({ text: 'one two' }), score: expect.objectContaining({ S: 1, N: 2, wer: 0.5 }) }),
        b: bad,
        c: ok('three', { result: expect.objectContaining({ text: 'three' }) }),
      });
    });
  });
});
