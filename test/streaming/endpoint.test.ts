import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { computeLogMel, DEFAULT_FRONTEND } from '../../src/features/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { DEFAULT_ENDPOINT_OPTIONS, createSpeechTrack, endpointRule, leadingSilenceCut, validateEndpointOptions, type UtteranceStatus } from '../../src/streaming/endpoint.ts';
import { readWavFile } from '../../src/audio/index.ts';
import { createVad, DEFAULT_VAD_OPTIONS, firstSegmentSpeechFrame, frameLevelsDb, fullScaleMelEnergy, segmentSpeechFrames } from '../../src/streaming/vad.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { concat, finals, noise, RATE, SAMPLES, speechLike, streamAll, TINY } from './helpers.ts';

const sine = (seconds: number, amplitude: number, hz = 440) => Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
const levels = (samples: Float32Array) => frameLevelsDb(computeLogMel(samples, DEFAULT_FRONTEND), fullScaleMelEnergy(DEFAULT_FRONTEND));
const status = (s: Partial<UtteranceStatus>): UtteranceStatus => ({ length: 5, trailingSilence: 0, speech: 0, hasText: false, ...s });

/** A voiced sound: 140 Hz and 11 harmonics falling as 1/k, -18 dB at envelope 1. */
const voiced = (seconds: number, envelope: (t: number) => number) =>
  Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => {
    let v = 0;
    for (let k = 1; k <= 12; k++) v += Math.sin((2 * Math.PI * k * 140 * i) / RATE) / k;
    return 0.1 * envelope(i / RATE) * v;
  });
/**
 * A two-syllable word with no leading silence: full level from the first sample for 0.25 s, a
 * 60 ms closure 26 dB down, then a quieter syllable that fades. The causal floor is the first
 * syllable itself, so the causal VAD hears only the second.
 */
const wordFromFirstSample = () => voiced(0.46, (t) => (t < 0.25 ? 1 : t < 0.31 ? 0.05 : 0.6 * Math.exp(-8 * (t - 0.31))));
/** samples/espeak-digits.wav cut from inside the vowel of its first word ("three") for 0.4 s, so speech starts at the first sample. */
const digitsFromFirstSample = async () => (await readWavFile(`${SAMPLES}/espeak-digits.wav`)).samples.slice(0.26 * RATE, 0.66 * RATE);
/** Causal VAD seconds of speech, and the segment's own verdict in seconds. */
function speechSeconds(samples: Float32Array): { causal: number; segment: number } {
  const frameLevels = levels(samples);
  const flags = createVad(DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND).classifyLevels(frameLevels);
  const hop = DEFAULT_FRONTEND.hopLength / DEFAULT_FRONTEND.sampleRate;
  return { causal: flags.reduce((n, f) => n + f, 0) * hop, segment: segmentSpeechFrames(frameLevels, flags, DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND) * hop };
}

describe('energy VAD', () => {
  it('measures a sine at its level relative to full scale', () => {
    for (const [amplitude, db] of [[1, 0], [0.1, -20], [0.01, -40]] as const) {
      for (const level of levels(sine(0.2, amplitude, 1000))) expect(level).toBeCloseTo(db, 0);
    }
  });

  it('calls a tone that starts after silence speech, and quiet noise or digital silence not speech', () => {
    const vad = createVad(DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND);
    const classify = (samples: Float32Array) => Array.from(vad.classify(computeLogMel(samples, DEFAULT_FRONTEND)));
    expect(classify(noise(0.3, -70)).every((f) => f === 0)).toBe(true);
    expect(classify(noise(0.3, Number.NEGATIVE_INFINITY)).every((f) => f === 0)).toBe(true);
    const tone = classify(sine(0.3, 0.1));
    expect(tone.slice(2).every((f) => f === 1)).toBe(true); // the first frames straddle the onset
  });

  it('hears speech over a steady noise floor, and never calls the steady noise itself speech', () => {
    const vad = createVad(DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND);
    const fan = vad.classify(computeLogMel(noise(12, -40), DEFAULT_FRONTEND)); // above the -45 dB threshold
    expect(Array.from(fan).every((f) => f === 0)).toBe(true);
    const voice = vad.classify(computeLogMel(sine(0.3, 0.1), DEFAULT_FRONTEND)); // -20 dB
    expect(Array.from(voice).every((f) => f === 1)).toBe(true);
  });

  it('a loud sound that goes on unchanged stops being speech once it fills the floor window', () => {
    const vad = createVad(DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND);
    const flags = vad.classify(computeLogMel(concat(noise(1, -70), sine(4, 0.1)), DEFAULT_FRONTEND));
    const window = DEFAULT_VAD_OPTIONS.floorWindowSeconds * 100; // frames
    expect(flags[100 + 10]).toBe(1);
    expect(flags[100 + window - 10]).toBe(1);
    expect(Array.from(flags.subarray(100 + window + 5)).every((f) => f === 0)).toBe(true);
  });

  // Issue 11 item 8: content-free signals, loud or not, hold no speech.
  const steady: [string, (i: number) => number][] = [
    ['a DC offset', () => 0.3],
    ['a square wave', (i) => (Math.floor(i / 40) % 2 === 0 ? 0.3 : -0.3)],
    ['white noise', (i) => Math.sin(i * 12.9898) * 43758.5453 % 1 * 0.5],
    ['denormals', (i) => (i % 2 === 0 ? 1e-40 : -1e-40)],
    ['digital silence', () => 0],
  ];
  it.each(steady)('%s from the start is never speech, frame by frame or as a whole segment', (_, f) => {
    const samples = Float32Array.from({ length: 3 * RATE }, (_, i) => f(i));
    const flags = createVad(DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND).classify(computeLogMel(samples, DEFAULT_FRONTEND));
    expect(flags.length).toBeGreaterThan(250);
    expect(Array.from(flags).every((x) => x === 0)).toBe(true);
    expect(speechSeconds(samples).segment).toBe(0);
    expect(speechSeconds(samples.subarray(0, 0.5 * RATE)).segment).toBe(0); // as short as a spoken digit
  });

  // Speech from the first sample (trimmed clips, TTS files): the causal floor is the speech itself.
  it.each([
    ['a voiced word', async () => wordFromFirstSample()],
    ['a word of samples/espeak-digits.wav', digitsFromFirstSample],
  ])('%s that starts at the first sample is speech to the segment verdict, though the causal VAD misses most of it', async (_, make) => {
    const { causal, segment } = speechSeconds(await make());
    const { minUtterance } = DEFAULT_ENDPOINT_OPTIONS;
    expect(causal).toBeLessThan(minUtterance);
    expect(segment).toBeGreaterThanOrEqual(minUtterance);
  });

  it('the first speech frame of a segment, all its frames known: at the sound after a pause, at 0 for a word the causal VAD half misses, none in steady noise', () => {
    const first = (samples: Float32Array) => {
      const frameLevels = levels(samples);
      return firstSegmentSpeechFrame(frameLevels, createVad(DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND).classifyLevels(frameLevels), DEFAULT_VAD_OPTIONS, DEFAULT_FRONTEND);
    };
    const afterPause = first(concat(noise(0.5, -70), voiced(0.5, () => 1)));
    expect(afterPause).toBeGreaterThanOrEqual(47); // frame 50 starts at 0.5 s; a 25 ms window reaches 2 frames back
    expect(afterPause).toBeLessThanOrEqual(50);
    expect(first(wordFromFirstSample())).toBe(0);
    expect(first(noise(1, -10))).toBe(-1);
  });

  it('the segment verdict extends a loud run down to half the margin above the floor, and no further', () => {
    const opts = DEFAULT_VAD_OPTIONS;
    const cfg = DEFAULT_FRONTEND;
    const none = new Uint8Array(8);
    // Floor -40; sure frames above -30; a run continues while above -35 (and the -45 threshold).
    expect(segmentSpeechFrames([-40, -34, -25, -34, -36, -34, -40, -40], none, opts, cfg)).toBe(3);
    // No frame reaches the margin: nothing, however long the run above half of it.
    expect(segmentSpeechFrames([-40, -34, -33, -34, -31, -34, -40, -40], none, opts, cfg)).toBe(0);
    // A frame the causal VAD called speech counts, and confirms its run.
    expect(segmentSpeechFrames([-40, -34, -33, -34, -31, -34, -40, -40], Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0]), opts, cfg)).toBe(5);
    // Below the absolute threshold nothing is speech, whatever the floor.
    expect(segmentSpeechFrames([-90, -50, -46, -50, -90], new Uint8Array(5), opts, cfg)).toBe(0);
  });
});

describe('endpoint rules', () => {
  const o = DEFAULT_ENDPOINT_OPTIONS;
  it('rule 1: long silence with no content', () => {
    expect(endpointRule(status({ trailingSilence: 2.39 }), o)).toBeUndefined();
    expect(endpointRule(status({ trailingSilence: 2.4 }), o)).toBe('rule1');
  });
  it('rule 2: shorter silence after text or enough speech', () => {
    const after = o.silenceAfterContent;
    expect(endpointRule(status({ trailingSilence: after, hasText: true }), o)).toBe('rule2');
    expect(endpointRule(status({ trailingSilence: after - 0.01, hasText: true }), o)).toBeUndefined();
    expect(endpointRule(status({ trailingSilence: after, speech: 0.25 }), o)).toBe('rule2');
    expect(endpointRule(status({ trailingSilence: after - 0.01, speech: 0.25 }), o)).toBeUndefined();
  });
  it('minimum utterance: a speech blip shorter than it is not content', () => {
    expect(endpointRule(status({ trailingSilence: 1.5, speech: 0.1 }), o)).toBeUndefined();
    expect(endpointRule(status({ trailingSilence: 1.5, speech: 0.1 }), { ...o, minUtterance: 0.05 })).toBe('rule2');
  });
  it('rule 3: maximum utterance length whatever it holds', () => {
    expect(endpointRule(status({ length: 20, hasText: true }), o)).toBe('rule3');
    expect(endpointRule(status({ length: 19.99, hasText: true }), o)).toBeUndefined();
  });
  it('Infinity switches a rule off', () => {
    expect(endpointRule(status({ length: 1e6, trailingSilence: 1e6 }), { ...o, maxUtterance: Infinity, silenceWithoutContent: Infinity })).toBeUndefined();
  });
  it('bad options are ConfigErrors naming the option', () => {
    expect(() => validateEndpointOptions({ silenceAfterContent: 0 })).toThrow(/silenceAfterContent/);
    expect(() => validateEndpointOptions({ minUtterance: -1 })).toThrow(ConfigError);
    expect(() => validateEndpointOptions({ maxUtterance: Number.NaN })).toThrow(/maxUtterance/);
    expect(() => validateEndpointOptions({ vad: { thresholdDb: Number.NaN } as never })).toThrow(/thresholdDb/);
    expect(() => validateEndpointOptions({ leadingSilence: -0.1 })).toThrow(/leadingSilence/);
    expect(() => validateEndpointOptions({ leadingSilence: Number.NaN })).toThrow(ConfigError);
    expect(validateEndpointOptions({ vad: { marginDb: 3 } as never }).vad).toEqual({ ...DEFAULT_VAD_OPTIONS, marginDb: 3 });
  });
  it('leading silence: the cut keeps leadingSilence before the first speech frame, on an encoder-frame boundary', () => {
    const hop = 0.01;
    // 0.2 s = 20 frames kept: speech at frame 100 cuts at 80, at 103 still at 80 (a multiple of 4), at 84 at 64.
    expect([100, 103, 84].map((f) => leadingSilenceCut(f, { leadingSilence: 0.2 }, hop, 4))).toEqual([80, 80, 64]);
    // Silence already shorter than that, no speech yet, or Infinity: no cut.
    expect([19, 23, -1].map((f) => leadingSilenceCut(f, { leadingSilence: 0.2 }, hop, 4))).toEqual([0, 0, 0]);
    expect(leadingSilenceCut(500, { leadingSilence: Infinity }, hop, 4)).toBe(0);
    expect(leadingSilenceCut(500, { leadingSilence: 0 }, hop, 4)).toBe(500);
  });
  it('the speech track finds the first speech frame before a frame', () => {
    const track = createSpeechTrack(0.01);
    track.append(Uint8Array.from([0, 0, 0, 1, 1, 0]), [-60, -60, -60, -20, -20, -60]);
    expect([3, 4, 6].map((f) => track.firstSpeechBefore(f))).toEqual([-1, 3, 3]);
    track.dropBefore(2);
    expect(track.firstSpeechBefore(6)).toBe(1);
  });
  it('the speech track measures trailing silence and speech up to a frame, and drops the front', () => {
    const track = createSpeechTrack(0.01);
    track.append(Uint8Array.from([0, 1, 1, 0, 0]), [-60, -20, -21, -60, -61]);
    track.append(Uint8Array.from([1, 0, 0, 0]), [-22, -62, -63, -64]);
    expect(track.statusAt(5, false)).toEqual({ length: 0.05, trailingSilence: 0.02, speech: 0.02, hasText: false });
    const at9 = track.statusAt(9, true);
    expect([at9.trailingSilence, at9.speech, at9.hasText]).toEqual([0.03, 0.03, true]);
    track.dropBefore(5);
    expect(track.frames).toBe(4);
    expect(track.statusAt(4, false).speech).toBeCloseTo(0.01, 9);
    const kept = track.framesBefore(9);
    expect([Array.from(kept.flags), Array.from(kept.levels)]).toEqual([[1, 0, 0, 0], [-22, -62, -63, -64]]);
  });
});

describe('endpoints in a stream', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(TINY);
  });
  afterAll(() => model?.dispose());

  it('rule 2 ends the utterance at the first encoder frame with silenceAfterContent (0.25 s) of trailing silence, whatever the chunk size', async () => {
    const samples = concat(speechLike(0.8, -20, 1), noise(2, -70, 2));
    const ends = new Set<number>();
    for (const chunkFrames of [4, 16, 48]) {
      const [first] = finals(await streamAll(model, samples, { mode: 'global', chunkFrames }));
      expect(first.reason).toBe('rule2');
      // Speech ends at 0.8 s (+ one 25 ms frame); the rule is checked every 40 ms encoder frame.
      expect(first.end).toBeGreaterThanOrEqual(0.8 + DEFAULT_ENDPOINT_OPTIONS.silenceAfterContent);
      expect(first.end).toBeLessThanOrEqual(0.825 + DEFAULT_ENDPOINT_OPTIONS.silenceAfterContent + 0.04 + 0.015);
      ends.add(first.end);
    }
    expect(ends.size).toBe(1);
  });

  it('an utterance after a long pause starts leadingSilence before its speech, not at the last endpoint, streamed and offline alike', async () => {
    // Speech, a 1.6 s pause (rule 2 ends the first utterance 0.25 s into it), speech from 2.4 s.
    const samples = concat(speechLike(0.8, -20, 1), noise(1.6, -70, 2), speechLike(0.9, -20, 3), noise(0.6, -70, 4));
    for (const mode of ['local', 'global'] as const) {
      const offline = await transcribe({ samples, sampleRate: RATE }, { model, mode });
      const starts = offline.segments.map((s) => s.start);
      // The third is the silent tail after the second utterance's rule 2.
      expect(offline.segments.map((s) => s.noSpeech)).toEqual([false, false, true]);
      // The causal VAD hears the rising syllable a little after 2.4 s; the cut is leadingSilence before it, on a 40 ms frame.
      const lead = DEFAULT_ENDPOINT_OPTIONS.leadingSilence;
      expect(starts[1]).toBeGreaterThan(2.4 - lead - 0.04);
      expect(starts[1]).toBeLessThan(2.4 + 0.1 - lead);
      for (const seed of [1, 2]) expect(finals(await streamAll(model, samples, { mode }, seed)).map((f) => f.start)).toEqual(starts);
      // With the whole pause kept, the second utterance starts where the first one ended.
      const kept = finals(await streamAll(model, samples, { mode, endpoint: { leadingSilence: Infinity } }));
      expect(kept[1].start).toBeLessThan(1.2);
      expect(kept[1].start).toBeGreaterThanOrEqual(kept[0].end - 0.03);
    }
  });

  it('speech at the start of a stream that the causal VAD cannot hear yet is not cut off as leading silence', async () => {
    // The causal VAD hears only the second syllable of this word (see wordFromFirstSample); the first is speech too.
    const samples = wordFromFirstSample();
    expect(speechSeconds(samples).causal).toBeLessThan(0.2);
    for (const mode of ['local', 'global'] as const) {
      const [first] = finals(await streamAll(model, samples, { mode, endpoint: { leadingSilence: 0 } }));
      expect(first.start).toBe(0);
    }
  });

  it('rule 1 resets after 2.4 s of silence without decoding it (global); only the end-of-stream final follows', async () => {
    const samples = noise(5.5, -70);
    const events = await streamAll(model, samples, { mode: 'global' });
    const utterances = finals(events);
    // Two silent utterances end by rule 1 and are dropped: no final for them.
    expect(utterances.map((f) => f.reason)).toEqual(['end']);
    expect(utterances[0].start).toBeGreaterThanOrEqual(4.8);
  });

  it('rule 3 cuts a long utterance at the encoder frame where it reaches the maximum', async () => {
    const samples = speechLike(3.5, -20);
    const utterances = finals(await streamAll(model, samples, { mode: 'local', endpoint: { maxUtterance: 1 } }));
    expect(utterances.map((f) => f.reason)).toEqual(['rule3', 'rule3', 'rule3', 'end']);
    for (const f of utterances.slice(0, 3)) {
      expect(f.end - f.start).toBeGreaterThanOrEqual(1);
      expect(f.end - f.start).toBeLessThan(1 + 0.04 + 0.02);
    }
  });

  // Speech from the first sample is decoded, offline and streamed, and both cut it the same way.
  it.each([
    ['a voiced word', async () => wordFromFirstSample()],
    ['a word of samples/espeak-digits.wav', digitsFromFirstSample],
  ])('%s that starts at the first sample is decoded, not marked noSpeech, offline and streamed alike', async (_, make) => {
    const samples = await make();
    for (const mode of ['local', 'global'] as const) {
      const offline = await transcribe({ samples, sampleRate: RATE }, { model, mode, beam: 1 });
      expect(offline.noSpeech).toBe(false);
      expect(offline.segments.map((s) => s.noSpeech)).toEqual([false]);
      expect(offline.text).not.toBe('');
      const streamed = finals(await streamAll(model, samples, { mode }));
      expect(streamed.map((f) => [f.start, f.end, f.noSpeech, f.text !== ''])).toEqual(offline.segments.map((s) => [s.start, s.end, false, true]));
    }
  });

  // Issue 11 item 8, streaming: a stream of silence or of steady noise gives no text at all.
  it.each([
    ['digital silence', () => new Float32Array(6 * RATE)],
    ['steady loud noise', () => noise(6, -10)],
    ['a DC offset', () => new Float32Array(6 * RATE).fill(0.3)],
  ])('%s streams to one empty final marked noSpeech, in both modes', async (_, make) => {
    for (const mode of ['local', 'global'] as const) {
      const events = await streamAll(model, make(), { mode });
      expect(events.filter((e) => e.type === 'partial')).toEqual([]);
      expect(finals(events).map((f) => [f.text, f.noSpeech])).toEqual([['', true]]);
    }
  });
});
