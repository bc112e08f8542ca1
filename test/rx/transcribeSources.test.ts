import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../src/model/index.ts';
import { transcribeSources } from '../../src/rx/transcribeSources.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { SAMPLES, TINY } from '../streaming/helpers.ts';

const WAV = join(SAMPLES, 'espeak-digits.wav');
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(() => model?.dispose());

describe('transcribeSources', () => {
  it('transcribes files by path and bytes in memory alike; a bad source fails only its item', async () => {
    const sources = [WAV, { id: '<stdin>', bytes: new Uint8Array(readFileSync(WAV)) }, { id: 'junk', bytes: new Uint8Array([1, 2, 3, 4]) }, '/no/such/file.wav'];
    const items = await lastValueFrom(from(sources).pipe(transcribeSources({ model, decoding: { beam: 1 } }), toArray()));
    expect(items.map((i) => [i.id, i.ok])).toEqual([
      [WAV, true],
      ['<stdin>', true],
      ['junk', false],
      ['/no/such/file.wav', false],
    ]);
    const expected = (await transcribe(WAV, { model, beam: 1 })).text;
    for (const item of items.slice(0, 2)) if (item.ok) expect(item.value.text).toBe(expected);
    const codes = items.flatMap((i) => (i.ok ? [] : [[i.error.code, i.error.input]]));
    expect(codes).toEqual([
      ['NOT_WAV', 'junk'],
      ['READ_FAILED', '/no/such/file.wav'],
    ]);
  });

  it('refuses bad options when it is built', () => {
    expect(() => transcribeSources({ model, decoding: { beam: 0 } })).toThrow(/beam/);
    expect(() => transcribeSources({ model, concurrency: 0 })).toThrow(/concurrency/);
  });
});
