import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile, resample } from '../../src/audio/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import type { FinalEvent } from '../../src/streaming/events.ts';
import { createPushRecognizer, type PushResult } from '../../src/streaming/pushRecognizer.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { concat, noise, rng, SAMPLES, streamAll, TINY } from './helpers.ts';

let model: LoadedModel;
let speech: Float32Array;
beforeAll(async () => {
  model = await loadModel(TINY);
  const clip = (await readWavFile(`${SAMPLES}/espeak-digits.wav`)).samples;
  // Two utterances: the second starts after a pause longer than rule 2's 1.2 s.
  speech = concat(clip, noise(2, Number.NEGATIVE_INFINITY), clip);
});
afterAll(() => model?.dispose());

/** The sherpa-onnx-style loop: accept random-sized chunks, decode while ready, collect each endpoint's result. */
async function runLoop(samples: Float32Array, sampleRate: number, seed: number, mode: 'local' | 'global'): Promise<PushResult[]> {
  const recognizer = createPushRecognizer(model, { mode });
  const stream = recognizer.createStream();
  const r = rng(seed);
  const finals: PushResult[] = [];
  const drain = async () => {
    while (recognizer.isReady(stream)) await recognizer.decode(stream);
    while (recognizer.isEndpoint(stream)) {
      finals.push(recognizer.getResult(stream));
      recognizer.reset(stream);
    }
  };
  for (let at = 0; at < samples.length; ) {
    const n = 1 + Math.floor(r() * 6000);
    stream.acceptWaveform({ samples: samples.subarray(at, at + n), sampleRate });
    at += n;
    await drain();
  }
  stream.inputFinished();
  await drain();
  return finals;
}

const finalsOf = (events: readonly { type: string }[]) => events.filter((e): e is FinalEvent => e.type === 'final');

describe('push-style recognizer', () => {
  it.each(['local', 'global'] as const)('%s: the endpoints and texts equal those of the streaming recognizer', async (mode) => {
    const expected = finalsOf(await streamAll(model, speech, { mode }));
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const got = await runLoop(speech, 16000, 3, mode);
    expect(got.map((f) => ({ text: f.text, utterance: f.utterance, reason: f.reason, isFinal: f.isFinal }))).toEqual(expected.map((f) => ({ text: f.text, utterance: f.utterance, reason: f.reason, isFinal: true })));
  });

  it('resamples audio at another rate', async () => {
    const at441 = resample({ samples: speech, sampleRate: 16000 }, 44100);
    const got = await runLoop(at441.samples, 44100, 5, 'local');
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got.every((f) => f.isFinal)).toBe(true);
  });

  it('shows partial text of the utterance in progress in local mode', async () => {
    const recognizer = createPushRecognizer(model, { mode: 'local' });
    const stream = recognizer.createStream();
    expect(recognizer.getResult(stream)).toEqual({ text: '', tokens: [], utterance: 0, isFinal: false });
    stream.acceptWaveform({ samples: speech.subarray(0, 16000), sampleRate: 16000 });
    await recognizer.decode(stream);
    const partial = recognizer.getResult(stream);
    expect(partial.isFinal).toBe(false);
    expect(partial.text.length).toBeGreaterThan(0);
    expect(recognizer.isEndpoint(stream)).toBe(false);
  });

  it('a rate change within a stream is a ConfigError naming the stream', () => {
    const stream = createPushRecognizer(model, { input: 'mic-1' }).createStream();
    stream.acceptWaveform({ samples: new Float32Array(800), sampleRate: 8000 });
    expect(() => stream.acceptWaveform({ samples: new Float32Array(800), sampleRate: 16000 })).toThrow(expect.objectContaining({ name: 'ConfigError', input: 'mic-1', message: expect.stringMatching(/8000 Hz/) }));
  });

  it('NaN samples reject decode with a typed error naming the input, and the stream is over', async () => {
    const recognizer = createPushRecognizer(model, { input: 'mic-2' });
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: new Float32Array(4000).fill(Number.NaN), sampleRate: 16000 });
    await expect(recognizer.decode(stream)).rejects.toMatchObject({ name: 'StreamFailedError', code: 'NON_FINITE', input: expect.stringMatching(/^mic-2\b/) });
    expect(recognizer.isReady(stream)).toBe(false);
    await expect(recognizer.decode(stream)).rejects.toMatchObject({ code: 'NON_FINITE' });
  });

  it('an aborted signal rejects decode with its reason and refuses more audio', async () => {
    const controller = new AbortController();
    const recognizer = createPushRecognizer(model);
    const stream = recognizer.createStream({ signal: controller.signal });
    stream.acceptWaveform({ samples: speech.subarray(0, 8000), sampleRate: 16000 });
    controller.abort();
    await expect(recognizer.decode(stream)).rejects.toMatchObject({ name: 'AbortError' });
    expect(() => stream.acceptWaveform({ samples: new Float32Array(10), sampleRate: 16000 })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('refuses what is not its own stream, and audio after inputFinished', () => {
    const a = createPushRecognizer(model);
    const b = createPushRecognizer(model);
    const stream = a.createStream();
    expect(() => b.isReady(stream)).toThrow(expect.objectContaining({ name: 'ConfigError', input: 'stream' }));
    stream.inputFinished();
    expect(() => stream.acceptWaveform({ samples: new Float32Array(10), sampleRate: 16000 })).toThrow(/after inputFinished/);
  });

  it('bad options are ConfigErrors at creation', () => {
    expect(() => createPushRecognizer(model, { chunkFrames: 3 })).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });
});
