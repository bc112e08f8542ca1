import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { finals, SAMPLES, segmentOf, streamAll, TINY } from '../streaming/helpers.ts';

/**
 * Whole long files (issue 9): a recording is cut at its pauses and decoded segment by segment,
 * in both modes, exactly where a live stream of it is cut. tiny-random writes gibberish, but
 * where the cuts fall depends on the audio alone, and equal gibberish means equal decoding.
 */
const LONG = join(SAMPLES, 'longform-mixed.wav'); // 11 sentences with 0.44 s pauses between them
let model: LoadedModel;
let samples: Float32Array;

beforeAll(async () => {
  model = await loadModel(TINY);
  samples = (await readWavFile(LONG)).samples;
});
afterAll(() => model?.dispose());

describe.each(['global', 'local'] as const)('long recording, mode %s', (mode) => {
  it('is cut at each sentence pause, and the segments tile it in order', async () => {
    const result = await transcribe(LONG, { model, mode, beam: 1 });
    const seconds = samples.length / 16000;
    expect(result.segments).toHaveLength(11);
    expect(result.segments[0].start).toBe(0);
    // Each segment starts where the previous one's last frame began (its last window overlaps the
    // next one's first by 400 - 160 samples), or later, where the pause before its speech was cut
    // to leadingSilence; never inside the previous one.
    for (let i = 1; i < result.segments.length; i++) {
      expect(result.segments[i].start).toBeGreaterThanOrEqual(result.segments[i - 1].end - (400 - 160) / 16000 - 1e-9);
      expect(result.segments[i].start).toBeLessThan(result.segments[i - 1].end + 0.44);
    }
    // The last feature frame ends less than one 10 ms hop before the audio does.
    expect(seconds - result.segments.at(-1)!.end).toBeGreaterThanOrEqual(0);
    expect(seconds - result.segments.at(-1)!.end).toBeLessThan(0.01);
    expect(result.segments.every((s) => !s.noSpeech && s.text !== '')).toBe(true);
    expect(result.noSpeech).toBe(false);
    expect(result.text).toBe(result.segments.map((s) => s.text).join(' '));
    // Word times are on the recording's clock, in order, and reach its last sentence.
    for (let i = 1; i < result.words.length; i++) expect(result.words[i].start).toBeGreaterThanOrEqual(result.words[i - 1].start);
    expect(result.words.at(-1)!.start).toBeGreaterThanOrEqual(result.segments.at(-1)!.start);
    expect(result.timing.audioSeconds).toBeCloseTo(seconds, 6);
  });

  it('splits exactly where a live stream splits, and each segment is its audio decoded alone', async () => {
    const offline = await transcribe({ samples, sampleRate: 16000 }, { model, mode, beam: 1 });
    const live = finals(await streamAll(model, samples, { mode, beam: 1 }));
    expect(live.map((f) => [f.start, f.end, f.text])).toEqual(offline.segments.map((s) => [s.start, s.end, s.text]));
    for (const i of [0, 5, 10]) {
      const alone = await transcribe(segmentOf(samples, live[i]), { model, mode, beam: 1, segmentation: false });
      expect(offline.segments[i].text).toBe(alone.text);
    }
  });
});

it('encodes each feature frame of a recording at most once, across its leading-silence trims and endpoint cuts', async () => {
  // Every frame the encoder is given, counted per runChunk call (a final call's trailing partial
  // subsampling group yields nothing and is not counted).
  const { subsampling } = model.facts;
  let encoded = 0;
  const runChunk = model.encoder.runChunk.bind(model.encoder);
  model.encoder.runChunk = (features, frames, state, options) => {
    encoded += frames - (frames % subsampling);
    return runChunk(features, frames, state, options);
  };
  try {
    const result = await transcribe(LONG, { model, mode: 'global', beam: 1 });
    const { hopLength, frameLength, sampleRate } = model.config.frontEnd;
    // A segment [start, end) covers this many feature frames (utteranceEndSeconds, inverted).
    const featureFrames = (s: { start: number; end: number }) => Math.round(((s.end - s.start) * sampleRate - frameLength) / hopLength) + 1;
    const cuts = result.segments.length - 1;
    // Trims: a segment that starts later than where the previous one's last frame began, the pause before its speech cut.
    const trims = result.segments.filter((s, i) => i > 0 && s.start > result.segments[i - 1].end + 0.05).length;
    expect(cuts).toBe(10);
    expect(trims).toBeGreaterThan(0);
    // Each decoded segment needs each of its whole subsampling groups encoded at least once, so
    // encoding exactly their sum means none was encoded twice (and nothing outside them at all).
    // Encoding a chunk again after a cut inside it, as a restart from zero state did, exceeds it.
    const needed = result.segments.filter((s) => !s.noSpeech).reduce((n, s) => n + Math.floor(featureFrames(s) / subsampling) * subsampling, 0);
    expect(needed).toBeGreaterThan(0);
    expect(encoded).toBe(needed);
  } finally {
    delete (model.encoder as { runChunk?: unknown }).runChunk;
  }
});

it('places each segment attention block at its frames of the recording', async () => {
  // Attention times: each token's time is its row's peak, which must lie in the token's segment.
  const result = await transcribe(LONG, { model, mode: 'local', beam: 1, returnAttention: true, timestamps: 'attention' });
  const m = result.attention!;
  expect([m.rows, m.cols]).toEqual([result.tokens.length, result.encoderFrames]);
  for (let r = 0; r < m.rows; r++) {
    const row = m.data.subarray(r * m.cols, (r + 1) * m.cols);
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // The token's peak frame is inside its own segment.
    let peak = 0;
    for (let c = 1; c < m.cols; c++) if (row[c] > row[peak]) peak = c;
    const at = peak * 0.04;
    const segment = result.segments.find((s) => result.tokens[r].start >= s.start - 1e-9 && result.tokens[r].start < s.end);
    expect(segment).toBeDefined();
    expect(at).toBeGreaterThanOrEqual(segment!.start - 0.04);
    expect(at).toBeLessThan(segment!.end + 0.04);
  }
});
