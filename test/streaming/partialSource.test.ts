import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { createLogMelStream, normalise } from '../../src/features/index.ts';
import { BLANK_ID, type LoadedModel } from '../../src/model/index.ts';
import { NO_ENDPOINTS } from '../../src/streaming/endpoint.ts';
import type { PartialEvent, StreamEvent, StreamToken } from '../../src/streaming/events.ts';
import { validateStreamingOptions, type StreamingOptionsInput } from '../../src/streaming/options.ts';
import { PARTIAL_SOURCES } from '../../src/streaming/partialSource.ts';
import { createPartialDecoder } from '../../src/streaming/partialDecoder.ts';
import { createStreamingRecognizer } from '../../src/streaming/recognizer.ts';
import { createRows } from '../../src/streaming/rows.ts';
import { createSegmentEncoder } from '../../src/streaming/segmentEncoder.ts';
import { createSpikeStepper } from '../../src/streaming/spikeSteps.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { finals, RATE, rng, SAMPLES, streamAll, TINY } from './helpers.ts';

let model: LoadedModel;
let speech: Float32Array;
beforeAll(async () => {
  model = await loadModel(TINY);
  speech = (await readWavFile(join(SAMPLES, 'flite-kal-sentence.wav'))).samples;
});
afterAll(() => model?.dispose());

const ONE_UTTERANCE: StreamingOptionsInput = { mode: 'local', endpoint: NO_ENDPOINTS, restartOnEos: false };
const partials = (events: readonly StreamEvent[]) => events.filter((e): e is PartialEvent => e.type === 'partial');
const chars = (tokens: readonly StreamToken[]) => tokens.map((t) => t.token);

/** The CTC greedy transcript of the whole clip, encoded offline in one call: arg-max per frame, repeats merged, blanks dropped. */
async function offlineCtcGreedy(samples: Float32Array): Promise<string[]> {
  const { frontEnd, normStats, vocab } = model.config;
  const features = normalise(createLogMelStream(frontEnd).push(samples), normStats);
  const { output } = await model.encoder.runChunk(features.data, features.frames, model.encoder.initialState(), { final: true });
  const V = model.encoder.dims.vocabSize;
  const out: string[] = [];
  let previous = BLANK_ID;
  for (let t = 0; t < output.frames; t++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (output.ctcLogits[t * V + v] > output.ctcLogits[t * V + best]) best = v;
    if (best !== BLANK_ID && best !== previous) out.push(vocab.tokens[best]);
    previous = best;
  }
  return out;
}

describe('partial sources', () => {
  it("'ctc' partials spell the CTC greedy transcript as its frames arrive: each extends the last, none takes a character back", async () => {
    const expected = await offlineCtcGreedy(speech);
    const shown = partials(await streamAll(model, speech, { ...ONE_UTTERANCE, partialSource: 'ctc' }));
    expect(shown.length).toBeGreaterThan(2);
    let before: string[] = [];
    for (const p of shown) {
      const now = chars(p.tokens);
      expect(now.length).toBeGreaterThan(before.length);
      expect(now).toEqual(expected.slice(0, now.length));
      for (const t of p.tokens) expect(t.emittedAt).toBeGreaterThanOrEqual(t.end - 1e-9); // a spike is shown once its frame exists
      before = now;
    }
    expect(before.length).toBeGreaterThan(expected.length / 2);
  });

  it("by default a stream's partials are 'ctc' ones, from 4-frame encoder chunks", async () => {
    const texts = async (options: StreamingOptionsInput) => partials(await streamAll(model, speech, { ...ONE_UTTERANCE, ...options })).map((p) => p.text);
    const byDefault = await texts({});
    expect(byDefault).toEqual(await texts({ partialSource: 'ctc', chunkFrames: 4 }));
    // Both choices show: other sources or chunks give other partial texts.
    expect(byDefault).not.toEqual(await texts({ partialSource: 'attention', chunkFrames: 4 }));
    expect(byDefault).not.toEqual(await texts({ partialSource: 'ctc', chunkFrames: 16 }));
  });

  it("'triggered' partials are the attention partial of the same moment, then the CTC characters past its pointer", async () => {
    const attention = createStreamingRecognizer(model, { ...ONE_UTTERANCE, partialSource: 'attention' });
    const triggered = createStreamingRecognizer(model, { ...ONE_UTTERANCE, partialSource: 'triggered' });
    let attentionShown: string[] = [];
    let triggeredShown: string[] = [];
    let ahead = 0;
    const r = rng(3);
    for (let i = 0; i < speech.length; ) {
      const n = 1 + Math.floor(r() * 4000);
      const chunk = { samples: speech.subarray(i, i + n), sampleRate: RATE };
      i += n;
      for (const p of partials(await attention.push(chunk))) attentionShown = chars(p.tokens);
      for (const p of partials(await triggered.push(chunk))) triggeredShown = chars(p.tokens);
      expect(triggeredShown.slice(0, attentionShown.length)).toEqual(attentionShown);
      if (triggeredShown.length > attentionShown.length) ahead++;
    }
    expect(ahead).toBeGreaterThan(0);
  });

  it('a triggered step over frames that hold its whole window is the step the partial decoder makes once they have arrived', async () => {
    const { frontEnd, normStats, vocab, attention } = model.config;
    const encoder = createSegmentEncoder(model.encoder, 16);
    const features = normalise(createLogMelStream(frontEnd).push(speech), normStats);
    encoder.append(features.data, features.frames);
    await encoder.encodeRest();
    const prefix = (frames: number) => {
      const keys = createRows(encoder.keys.width);
      const memory = createRows(encoder.memory.width);
      keys.append(encoder.keys.view(), frames);
      memory.append(encoder.memory.view(), frames);
      return { keys, memory };
    };
    const ctx = { vocab, frameSeconds: model.facts.frameSeconds, attention };
    const limits = { maxTokensPerFrame: 1, maxLengthSlack: 10 };
    const stepper = createSpikeStepper(model.decoder, attention);
    const early = createPartialDecoder(stepper.decoder, ctx, attention, limits);
    await early.advance(prefix(Math.floor(encoder.frames / 3)), false);
    expect(early.steps.length).toBeGreaterThan(0);
    expect(early.stopped).toBeUndefined();
    const ahead = await stepper.run({ token: early.steps.at(-1)!.token, attention: early.attention }, prefix(encoder.frames), 4);
    const whole = createPartialDecoder(model.decoder, ctx, attention, limits);
    await whole.advance(prefix(encoder.frames), true);
    const later = whole.steps.slice(early.steps.length, early.steps.length + ahead.length);
    expect(ahead.length).toBeGreaterThan(0);
    expect(ahead).toEqual(later.map((s) => ({ token: s.token, peakFrame: s.peakFrame })));
  });

  it('finals are the same whatever the partials came from', async () => {
    const options = { mode: 'local', endpoint: { maxUtterance: 1.2 } } as const;
    const [attention, ...others] = await Promise.all(PARTIAL_SOURCES.map(async (partialSource) => finals(await streamAll(model, speech, { ...options, partialSource }))));
    expect(attention.length).toBeGreaterThan(1);
    for (const other of others) expect(other.map((f) => [f.text, f.start, f.end])).toEqual(attention.map((f) => [f.text, f.start, f.end]));
  });

  it('an unknown partial source is a ConfigError naming the option', () => {
    expect(() => validateStreamingOptions({ partialSource: 'spikes' as never })).toThrow(ConfigError);
    try {
      validateStreamingOptions({ partialSource: 'spikes' as never });
    } catch (error) {
      expect((error as ConfigError).input).toBe('partialSource');
    }
  });
});
