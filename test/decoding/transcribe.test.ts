import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16, readWavFile } from '../../src/audio/index.ts';
import { AudioError, ConfigError, ModelError } from '../../src/errors.ts';
import { loadModel, transcribe, type LoadedModel } from '../../src/offline/transcribe.ts';
import { rng, TINY } from '../model/fixture.ts';

const SAMPLE = resolve(import.meta.dirname, '../../samples/flite-kal-sentence.wav');
let model: LoadedModel;
let scratch: string;

beforeAll(async () => {
  model = await loadModel(TINY);
  scratch = mkdtempSync(join(tmpdir(), 'las-transcribe-'));
});
afterAll(async () => {
  await model?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

function noise(seconds: number, rate = 16000, seed = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: Math.round(seconds * rate) }, () => (r() - 0.5) * 0.2);
}

/** Catches the rejection so its type, code and input can be checked. */
async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('transcribe', () => {
  it('transcribes a WAV file with timings, tokens within the audio, and the requested mode', async () => {
    const result = await transcribe(SAMPLE, { model, mode: 'local', beam: 2, returnAttention: true });
    const audio = await readWavFile(SAMPLE);
    const seconds = audio.samples.length / 16000;
    expect(result.mode).toBe('local');
    expect(result.beam).toBe(2);
    expect(result.noSpeech).toBe(false);
    expect(result.text).toMatch(/^[a-z']+( [a-z']+)*$/); // words, not an empty transcript
    expect(result.timing.audioSeconds).toBeCloseTo(seconds, 6);
    // Wall-clock values are not asserted (benchmarks measure them); each is reported as a finite number.
    for (const key of ['featuresMs', 'encoderMs', 'decoderMs', 'totalMs', 'rtf'] as const) expect(Number.isFinite(result.timing[key])).toBe(true);
    // floor(frames / 4) encoder frames for frames = 1 + floor((N - 400) / 160)
    expect(result.encoderFrames).toBe(Math.floor((1 + Math.floor((audio.samples.length - 400) / 160)) / 4));
    for (const t of result.tokens) expect(t.start).toBeLessThan(seconds);
    expect(result.attention?.rows).toBe(result.tokens.length);
    expect(result.attention?.cols).toBe(result.encoderFrames);
    const { left, right } = model.config.attention;
    expect(result.framesAttendedPerToken).toBeLessThanOrEqual(left + right + 1);
  });

  it('gives the same result for the file and for its decoded audio', async () => {
    const audio = await readWavFile(SAMPLE);
    const fromFile = await transcribe(SAMPLE, { model, beam: 1 });
    const fromAudio = await transcribe(audio, { model, beam: 1 });
    expect(fromAudio.text).toBe(fromFile.text);
    expect(fromAudio.tokens).toEqual(fromFile.tokens);
  });

  it('resamples audio at another rate to 16 kHz', async () => {
    const at8k = { samples: noise(1, 8000), sampleRate: 8000 };
    const result = await transcribe(at8k, { model, beam: 1 });
    expect(result.timing.audioSeconds).toBeCloseTo(1, 6);
    expect(result.encoderFrames).toBe(Math.floor((1 + Math.floor((16000 - 400) / 160)) / 4));
  });

  it('loads and releases a model given as a directory', async () => {
    const audio = { samples: noise(0.5), sampleRate: 16000 };
    const viaDir = await transcribe(audio, { model: TINY, beam: 1 });
    const viaModel = await transcribe(audio, { model, beam: 1 });
    expect(viaDir.text).toBe(viaModel.text);
  });

  it('rejects an unknown mode before touching audio or model', async () => {
    const e = await failure(transcribe('/no/such.wav', { model: '/no/such/model', mode: 'sliding' as never }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.input).toBe('mode');
    expect(e.message).toMatch(/sliding.*global, local/);
  });

  it.each([-4, 2.5, Number.NaN])('rejects chunkFrames %s before loading the model or reading the audio', async (chunkFrames) => {
    const e = await failure(transcribe('/no/such.wav', { model: '/no/such/model', segmentation: false, chunkFrames }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.input).toBe('chunkFrames');
  });

  it('rejects chunkFrames that is not a multiple of the subsampling factor before reading the audio', async () => {
    const e = await failure(transcribe('/no/such.wav', { model, segmentation: false, chunkFrames: model.config.subsampling + 2 }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.input).toBe('chunkFrames');
    expect(e.message).toMatch(new RegExp(`multiple of .*${model.config.subsampling}`));
  });

  it('decodes in encoder chunks of chunkFrames as in one call', async () => {
    const audio = await readWavFile(SAMPLE);
    const whole = await transcribe(audio, { model, beam: 1, segmentation: false });
    const chunked = await transcribe(audio, { model, beam: 1, segmentation: false, chunkFrames: 4 * model.config.subsampling });
    expect(chunked.encoderFrames).toBe(whole.encoderFrames);
    expect(chunked.text).toBe(whole.text);
  });

  it.each([
    ['no samples', 0],
    ['shorter than one analysis frame', 399],
    ['shorter than one encoder frame', 16000 * 0.05],
  ])('rejects audio with %s as TOO_SHORT, naming it', async (_, length) => {
    const e = await failure(transcribe({ samples: noise(length / 16000), sampleRate: 16000 }, { model, input: 'clip-7' }));
    expect(e).toBeInstanceOf(AudioError);
    expect(e.code).toBe('TOO_SHORT');
    expect(e.input).toBe('clip-7');
  });

  it('accepts the shortest audio that gives one encoder frame', async () => {
    const result = await transcribe({ samples: noise((400 + 3 * 160) / 16000), sampleRate: 16000 }, { model, beam: 1 });
    expect(result.encoderFrames).toBe(1);
  });

  // Issue 11 item 8: no speech is an empty result marked noSpeech, not words and not an error.
  it('gives digital silence and steady noise an empty result marked noSpeech, for memory audio and for files', async () => {
    const silent = { samples: new Float32Array(16000), sampleRate: 16000 };
    for (const audio of [silent, { samples: noise(2), sampleRate: 16000 }, { samples: new Float32Array(32000).fill(0.3), sampleRate: 16000 }]) {
      const result = await transcribe(audio, { model });
      expect(result).toMatchObject({ text: '', noSpeech: true, tokens: [], words: [] });
      expect(result.segments.every((s) => s.noSpeech && s.text === '')).toBe(true);
    }
    const path = join(scratch, 'silence.wav');
    writeFileSync(path, encodeWav16(silent));
    expect(await transcribe(path, { model })).toMatchObject({ text: '', noSpeech: true });
    // The same model does write text for speech.
    expect(await transcribe(SAMPLE, { model })).toMatchObject({ noSpeech: false, text: expect.stringMatching(/./) });
  });

  it('refuses input longer than maxSeconds as TOO_LONG, files before decoding them', async () => {
    const e = await failure(transcribe({ samples: noise(3), sampleRate: 16000 }, { model, maxSeconds: 2, input: 'long-1' }));
    expect(e).toBeInstanceOf(AudioError);
    expect(e).toMatchObject({ code: 'TOO_LONG', input: 'long-1' });
    const fromFile = await failure(transcribe(SAMPLE, { model, maxSeconds: 1 }));
    expect(fromFile).toMatchObject({ code: 'TOO_LONG', input: SAMPLE });
    await expect(transcribe(SAMPLE, { model, maxSeconds: 0 })).rejects.toThrow(ConfigError);
    expect((await transcribe(SAMPLE, { model, maxSeconds: 3 })).text).not.toBe('');
  });

  it('rejects non-audio input and non-finite samples', async () => {
    const e = await failure(transcribe({ samples: [0.1, 0.2] } as never, { model }));
    expect(e).toBeInstanceOf(AudioError);
    const nan = noise(1);
    nan[100] = Number.NaN;
    const f = await failure(transcribe({ samples: nan, sampleRate: 16000 }, { model, input: 'nan-clip' }));
    expect(f.code).toBe('NON_FINITE');
    expect(f.input).toBe('nan-clip');
  });

  it('names a missing WAV file', async () => {
    const path = join(scratch, 'absent.wav');
    const e = await failure(transcribe(path, { model }));
    expect(e).toBeInstanceOf(AudioError);
    expect(e.input).toBe(path);
  });

  it('names a missing model directory', async () => {
    const dir = join(scratch, 'no-model');
    const e = await failure(transcribe({ samples: noise(1), sampleRate: 16000 }, { model: dir }));
    expect(e).toBeInstanceOf(ModelError);
    expect(e.code).toBe('MODEL_MISSING');
    expect(e.input).toBe(dir);
  });

  it('rejects a missing model option', async () => {
    const e = await failure(transcribe({ samples: noise(1), sampleRate: 16000 }, {} as never));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.input).toBe('model');
  });
});
