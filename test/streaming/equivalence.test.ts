import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { NO_ENDPOINTS } from '../../src/streaming/endpoint.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { concat, countingEncoder, finals, noise, offlineText, SAMPLES, speechLike, streamAll, TINY, withEosAfter } from './helpers.ts';
import { SOS_ID } from '../../src/model/vocab.ts';

/**
 * The streamed final text must equal offline decoding of the same audio with the same model
 * (transcribe as one utterance, segmentation off, mode 'local' or 'global'), with the default options of
 * each, which are the same search (beam 4, the CTC weight...). tiny-random's output is gibberish, but a
 * gibberish string of 60-80 characters only matches if every frame, window and step matched.
 */
let model: LoadedModel;
const files = ['flite-kal-sentence.wav', 'espeak-digits.wav', 'festival-kal-note.wav'];
const audio = new Map<string, Float32Array>();

beforeAll(async () => {
  model = await loadModel(TINY);
  for (const f of files) audio.set(f, (await readWavFile(join(SAMPLES, f))).samples);
});
afterAll(() => model?.dispose());

describe('streamed text equals offline text', () => {
  for (const mode of ['local', 'global'] as const) {
    it.each(files)(`${mode}: %s streamed in random chunk sizes, no endpoints`, async (file) => {
      const samples = audio.get(file)!;
      const offline = await transcribe({ samples, sampleRate: 16000 }, { model, mode, segmentation: false });
      for (const seed of [1, 2]) {
        const events = await streamAll(model, samples, { mode, endpoint: NO_ENDPOINTS, restartOnEos: false }, seed);
        const [final, ...more] = finals(events);
        expect(more).toEqual([]);
        expect(final.reason).toBe('end');
        expect(final.text.length).toBeGreaterThan(20);
        expect(final.text).toBe(offline.text);
        // The final covers the whole clip.
        expect(final.start).toBe(0);
        expect(final.end).toBeCloseTo(samples.length / 16000, 1);
      }
    });
  }

  it('local: every partial is a prefix of the final text, and text comes while the audio is still arriving', async () => {
    const samples = audio.get('flite-kal-sentence.wav')!;
    // Partials are greedy attention steps; at beam 1 and ctc weight 0 the final is the same greedy search.
    const events = await streamAll(model, samples, { mode: 'local', partialSource: 'attention', endpoint: NO_ENDPOINTS, restartOnEos: false, beam: 1, ctcWeight: 0 });
    const partials = events.filter((e) => e.type === 'partial');
    const final = finals(events)[0];
    expect(partials.length).toBeGreaterThan(3);
    let previous = '';
    for (const p of partials) {
      expect(final.text.startsWith(p.text)).toBe(true);
      expect(p.text.length).toBeGreaterThan(previous.length);
      expect(p.audioTime).toBeGreaterThanOrEqual(partials[0].audioTime);
      previous = p.text;
    }
    expect(partials[0].audioTime).toBeLessThan(samples.length / 16000 / 2);
  });

  it('global mode emits no partials: decoding waits for the endpoint', async () => {
    const events = await streamAll(model, audio.get('espeak-digits.wav')!, { mode: 'global' });
    expect(events.filter((e) => e.type === 'partial')).toEqual([]);
    expect(finals(events).length).toBeGreaterThan(0);
  });

  it('with endpoints: each utterance equals offline decoding of its audio, in both modes', async () => {
    // speech-like noise, a pause long enough for rule 2, more speech, a long tail of silence
    const samples = concat(speechLike(0.8, -20, 1), noise(1.6, -70, 2), speechLike(0.9, -20, 3), noise(2, -70, 4));
    for (const mode of ['local', 'global'] as const) {
      const events = await streamAll(model, samples, { mode });
      const utterances = finals(events);
      expect(utterances.map((f) => f.reason).slice(0, 2)).toEqual(['rule2', 'rule2']);
      // An utterance the VAD heard no speech in (the silent tail) is not decoded at all.
      expect(utterances.map((f) => f.noSpeech)).toEqual([false, false, true]);
      for (const f of utterances) expect(f.text).toBe(f.noSpeech ? '' : await offlineText(model, samples, f, mode));
      // Utterances tile the stream in order.
      for (let i = 1; i < utterances.length; i++) expect(utterances[i].start).toBeGreaterThanOrEqual(utterances[i - 1].start);
    }
  });

  describe('when the decoder emits <eos> early', () => {
    it('the first utterance equals offline decoding of the whole clip, and each one equals offline decoding of its audio', async () => {
      // 'h' is tiny-random's commonest character: force <eos> after it.
      const eosModel = withEosAfter(model, 12);
      for (const file of files) {
        const samples = audio.get(file)!;
        // The greedy attention decoder's own <eos> (beam 1, ctc weight 0) is what ends these utterances.
        const whole = await transcribe({ samples, sampleRate: 16000 }, { model: eosModel, mode: 'local', beam: 1, ctcWeight: 0, segmentation: false });
        const events = await streamAll(eosModel, samples, { mode: 'local', endpoint: NO_ENDPOINTS, beam: 1, ctcWeight: 0, restartOnEos: true });
        const utterances = finals(events);
        expect(utterances[0].reason).toBe('eos');
        expect(utterances[0].text).toBe(whole.text);
        expect(utterances.length).toBeGreaterThan(1); // the restart decodes the speech after the <eos>
        for (const f of utterances) expect(f.text).toBe(await offlineText(eosModel, samples, f, 'local', 1, 0));
      }
    });

    it('an <eos> with nothing said over silence drops the utterance without encoding it again; over speech it re-encodes from the pointer', async () => {
      // <eos> right after <sos>: every utterance ends at its first step, with no text.
      const silence = noise(3, -70);
      const features = 1 + Math.floor((silence.length - 400) / 160);
      for (const chunkFrames of [4, 16]) {
        const quiet = countingEncoder(withEosAfter(model, SOS_ID));
        const silent = await streamAll(quiet.model, silence, { mode: 'local', chunkFrames, endpoint: NO_ENDPOINTS, restartOnEos: true });
        expect(finals(silent).map((f) => [f.reason, f.text])).toEqual([['end', '']]);
        // Each whole chunk went through the encoder once, for the decoder to reach its <eos>;
        // the last, partial one is not decoded (no speech), so never encoded.
        expect(quiet.frames()).toBe(Math.floor(features / chunkFrames) * chunkFrames);
        const loud = countingEncoder(withEosAfter(model, SOS_ID));
        await streamAll(loud.model, speechLike(3, -20), { mode: 'local', chunkFrames, endpoint: NO_ENDPOINTS, restartOnEos: true });
        expect(loud.frames()).toBeGreaterThan(features + chunkFrames);
      }
    });

    it('without restartOnEos the rest of the utterance is ignored: one final, the offline text', async () => {
      const eosModel = withEosAfter(model, 12);
      const samples = audio.get('flite-kal-sentence.wav')!;
      const whole = await transcribe({ samples, sampleRate: 16000 }, { model: eosModel, mode: 'local', segmentation: false });
      const utterances = finals(await streamAll(eosModel, samples, { mode: 'local', endpoint: NO_ENDPOINTS, restartOnEos: false }));
      expect(utterances.map((f) => [f.reason, f.text])).toEqual([['end', whole.text]]);
    });
  });

  it('a narrower or wider right context changes nothing about the equality', async () => {
    const samples = audio.get('festival-kal-note.wav')!;
    for (const right of [0, 2, 12]) {
      const offline = await transcribe({ samples, sampleRate: 16000 }, { model, mode: 'local', right, segmentation: false });
      const [final] = finals(await streamAll(model, samples, { mode: 'local', right, endpoint: NO_ENDPOINTS, restartOnEos: false }));
      expect(final.text).toBe(offline.text);
    }
  });
});
