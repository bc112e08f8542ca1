import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { ConfigError } from '../../src/errors.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { NO_ENDPOINTS } from '../../src/streaming/endpoint.ts';
import type { PartialEvent } from '../../src/streaming/events.ts';
import { validateStreamingOptions } from '../../src/streaming/options.ts';
import { createStreamingRecognizer } from '../../src/streaming/recognizer.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { finals, RATE, SAMPLES, streamAll, TINY } from './helpers.ts';

let model: LoadedModel;
let speech: Float32Array;
beforeAll(async () => {
  model = await loadModel(TINY);
  speech = (await readWavFile(join(SAMPLES, 'flite-kal-sentence.wav'))).samples;
});
afterAll(() => model?.dispose());

describe('streaming recognizer events', () => {
  it('partials carry a window that moves forward and characters no later than the audio that held them', async () => {
    // Partials are greedy attention steps; beam 1 at ctc weight 0 makes the final the same greedy text.
    const events = await streamAll(model, speech, { mode: 'local', partialSource: 'attention', endpoint: NO_ENDPOINTS, restartOnEos: false, beam: 1, ctcWeight: 0 });
    const partials = events.filter((e): e is PartialEvent => e.type === 'partial');
    const { left, right } = model.config.attention;
    let pointer = 0;
    for (const p of partials) {
      const { start, end, pointer: at } = p.window;
      expect(at).toBeGreaterThanOrEqual(pointer); // local-monotonic: never backwards
      expect(start).toBeLessThanOrEqual(at);
      expect(end).toBeGreaterThan(at);
      expect(end - start).toBeLessThanOrEqual((left + right + 1) * 0.04 + 1e-9);
      expect(end).toBeLessThanOrEqual(p.audioTime); // only frames that exist
      pointer = at;
      expect(p.tokens.map((t) => t.token).join('').replace(/ +/g, ' ').trim()).toBe(p.text);
      for (const t of p.tokens) {
        expect(t.emittedAt).toBeGreaterThanOrEqual(t.start); // emitted after its audio arrived
        expect(t.emittedAt).toBeLessThanOrEqual(p.audioTime);
      }
    }
    // Characters keep their emission time from partial to final.
    const final = finals(events)[0];
    const last = partials.at(-1)!;
    expect(final.tokens.slice(0, last.tokens.length).map((t) => t.emittedAt)).toEqual(last.tokens.map((t) => t.emittedAt));
  });

  it('the chunk size changes when text arrives, not what it says', async () => {
    const texts = new Set<string>();
    for (const chunkFrames of [4, 16, 48]) texts.add(finals(await streamAll(model, speech, { chunkFrames, endpoint: NO_ENDPOINTS, restartOnEos: false }))[0].text);
    expect(texts.size).toBe(1);
  });

  it('audio at the wrong rate ends the stream with a final and a typed error event', async () => {
    const r = createStreamingRecognizer(model, { input: 'mic' });
    await r.push({ samples: speech.subarray(0, 16000), sampleRate: RATE });
    const events = await r.push({ samples: new Float32Array(4800), sampleRate: 48000 });
    expect(events.map((e) => e.type)).toEqual(['final', 'error']);
    expect(events[0]).toMatchObject({ reason: 'error', error: { code: 'BAD_SAMPLE_RATE' } });
    expect(events[1]).toMatchObject({ code: 'BAD_SAMPLE_RATE', input: 'mic', audioTime: 1 });
    expect(r.closed).toBe(true);
    expect(await r.push({ samples: speech, sampleRate: RATE })).toEqual([]);
    expect(await r.finish()).toEqual([]);
  });

  it('NaN samples end the stream with NON_FINITE, keeping the text so far', async () => {
    // Beam 1 at ctc weight 0: the final is the greedy search the partials showed.
    const r = createStreamingRecognizer(model, { partialSource: 'attention', endpoint: NO_ENDPOINTS, restartOnEos: false, beam: 1, ctcWeight: 0 });
    const before = await r.push({ samples: speech.subarray(0, 24000), sampleRate: RATE });
    const soFar = before.filter((e) => e.type === 'partial').at(-1) as PartialEvent;
    const bad = speech.slice(24000, 26000);
    bad[100] = Number.NaN;
    const events = await r.push({ samples: bad, sampleRate: RATE });
    expect(events.map((e) => e.type)).toEqual(['final', 'error']);
    expect(events[1]).toMatchObject({ code: 'NON_FINITE' });
    const final = events[0] as { text: string };
    expect(final.text.startsWith(soFar.text)).toBe(true);
  });

  it('a non-audio chunk is a typed error event, not a crash', async () => {
    const r = createStreamingRecognizer(model);
    const events = await r.push({ samples: [1, 2, 3], sampleRate: RATE } as never);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'UNSUPPORTED_ENCODING' });
  });

  it('finish after a source failure reports the text so far and the failure', async () => {
    const r = createStreamingRecognizer(model, { endpoint: NO_ENDPOINTS, restartOnEos: false });
    await r.push({ samples: speech.subarray(0, 20000), sampleRate: RATE });
    const events = await r.finish(new ConfigError('gone', 'src'));
    expect(events.map((e) => e.type)).toEqual(['final', 'error']);
    expect(events[0]).toMatchObject({ reason: 'error', error: { code: 'BAD_CONFIG', input: 'src' } });
    expect((events[0] as { text: string }).text.length).toBeGreaterThan(0);
  });

  it('an empty stream finishes with one empty final', async () => {
    const events = await createStreamingRecognizer(model).finish();
    expect(events).toMatchObject([{ type: 'final', text: '', reason: 'end', start: 0, end: 0 }]);
  });

  it('bad options are ConfigErrors naming the option', () => {
    expect(() => validateStreamingOptions({ mode: 'fast' as never })).toThrow(/mode/);
    expect(() => validateStreamingOptions({ mode: 'global', restartOnEos: true })).toThrow(/restartOnEos/);
    expect(() => validateStreamingOptions({ mode: 'local', restartOnEos: true, partials: false })).toThrow(/restartOnEos/);
    expect(() => validateStreamingOptions({ ctcWeight: 2 })).toThrow(/ctcWeight/);
    expect(validateStreamingOptions({ mode: 'local', beam: 4 }).beam).toBe(4); // partials stay greedy; the final uses the beam
    expect(() => validateStreamingOptions({ mode: 'global', right: 3 })).toThrow(/right/);
    expect(() => validateStreamingOptions({ chunkFrames: 0 })).toThrow(/chunkFrames/);
    expect(() => validateStreamingOptions({ chunk: 16 } as never)).toThrow(/unknown streaming option "chunk"/);
    expect(() => validateStreamingOptions({ maxLengthSlack: -1 })).toThrow(/maxLengthSlack/); // through the decoding validator
    expect(() => createStreamingRecognizer(model, { mode: 'local', endpoints: {} } as never)).toThrow(ConfigError);
    expect(() => createStreamingRecognizer(model, { chunkFrames: 10 })).toThrow(/multiple of the model's subsampling factor 4/);
    expect(validateStreamingOptions({ mode: 'global', beam: 4 }).beam).toBe(4);
  });
});
