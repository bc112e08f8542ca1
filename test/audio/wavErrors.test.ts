import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/errors.ts';
import { decodeWav, probeWav } from '../../src/audio/index.ts';
import type { AudioErrorCode } from '../../src/errors.ts';
import { buildWav, randomInts, simpleWav } from './wavFixture.ts';

const NAME = 'clip-42.wav';
const RATE = 16000;
const good = () => simpleWav([randomInts(1600, -30000, 30000, 1)], 'pcm16', RATE);

function expectAudioError(run: () => unknown, code: AudioErrorCode, reason: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AudioError);
  const error = caught as AudioError;
  expect(error.code).toBe(code);
  expect(error.input).toBe(NAME);
  expect(error.message).toContain(NAME);
  expect(error.message).toMatch(reason);
}

const decode = (bytes: Uint8Array) => () => decodeWav(bytes, { input: NAME });

describe('decodeWav rejects malformed files with a typed error naming the input', () => {
  it('empty input', () => expectAudioError(decode(new Uint8Array(0)), 'EMPTY', /empty/));

  it('not a WAV', () => {
    expectAudioError(decode(new TextEncoder().encode('ID3\u0004 this is an mp3, honest')), 'NOT_WAV', /not a WAV/);
    expectAudioError(decode(new Uint8Array([1, 2, 3])), 'NOT_WAV', /not a WAV/);
    const rifx = good();
    rifx.set([0x41, 0x56, 0x49, 0x20], 8); // RIFF....AVI
    expectAudioError(decode(rifx), 'NOT_WAV', /WAVE/);
  });

  it('truncated header: inside the RIFF header, the fmt chunk, or a chunk header', () => {
    const wav = good();
    expectAudioError(decode(wav.subarray(0, 6)), 'TRUNCATED_HEADER', /RIFF header/);
    expectAudioError(decode(wav.subarray(0, 30)), 'TRUNCATED_HEADER', /fmt chunk/);
    expectAudioError(decode(wav.subarray(0, 40)), 'TRUNCATED_HEADER', /chunk header/);
    expectAudioError(decode(wav.subarray(0, 12)), 'TRUNCATED_HEADER', /no fmt chunk/);
  });

  it('header only: no sample bytes where the header declares some (node-wav returns zeros)', () => {
    expectAudioError(decode(good().subarray(0, 44)), 'TRUNCATED_DATA', /declares 3200 bytes but only 0/);
  });

  it('data chunk missing, or empty', () => {
    const fmtOnly = buildWav({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: new Uint8Array(0) }).subarray(0, 36);
    fmtOnly.set([28, 0, 0, 0], 4);
    expectAudioError(decode(fmtOnly), 'TRUNCATED_DATA', /no data chunk/);
    expectAudioError(decode(buildWav({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: new Uint8Array(0) })), 'TRUNCATED_DATA', /no complete sample frame/);
  });

  it('data chunk cut short by a few bytes is an error, not a shorter clip', () => {
    const wav = good();
    expectAudioError(decode(wav.subarray(0, wav.length - 3)), 'TRUNCATED_DATA', /declares 3200 bytes but only 3197/);
  });

  it.each([
    [0x0002, /Microsoft ADPCM/],
    [0x0011, /IMA ADPCM/],
    [0x0055, /MP3/],
    [0x1234, /0x1234/],
  ])('unsupported format tag %i', (formatTag, name) => {
    const wav = buildWav({ formatTag, channels: 1, sampleRate: RATE, bitsPerSample: 4, blockAlign: 256, data: new Uint8Array(2048) });
    expectAudioError(decode(wav), 'UNSUPPORTED_ENCODING', name);
    expectAudioError(() => probeWav(wav, { input: NAME }), 'UNSUPPORTED_ENCODING', name);
  });

  it('unsupported bit depths and an EXTENSIBLE sub-format that is not PCM', () => {
    const data = new Uint8Array(6400);
    expectAudioError(decode(buildWav({ formatTag: 3, channels: 1, sampleRate: RATE, bitsPerSample: 16, data })), 'UNSUPPORTED_ENCODING', /float with 16 bits/);
    expectAudioError(decode(buildWav({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: 64, data })), 'UNSUPPORTED_ENCODING', /pcm with 64 bits/);
    expectAudioError(decode(buildWav({ formatTag: 1, channels: 2, sampleRate: RATE, bitsPerSample: 16, blockAlign: 3, data })), 'UNSUPPORTED_ENCODING', /block align 3/);
    expectAudioError(decode(buildWav({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, extensibleSubFormat: 0x0055, data })), 'UNSUPPORTED_ENCODING', /MP3/);
  });

  it('zero channels', () => {
    expectAudioError(decode(buildWav({ formatTag: 1, channels: 0, sampleRate: RATE, bitsPerSample: 16, blockAlign: 2, data: new Uint8Array(3200) })), 'BAD_CHANNELS', /channel count 0/);
  });

  it.each([0, 999, 384001, 4294967295])('absurd sample rate %i', (sampleRate) => {
    const wav = buildWav({ formatTag: 1, channels: 1, sampleRate, bitsPerSample: 16, data: new Uint8Array(3200) });
    expectAudioError(decode(wav), 'BAD_SAMPLE_RATE', new RegExp(`sample rate ${sampleRate} Hz`));
  });

  it.each([NaN, Infinity, -Infinity])('float sample %s', (bad) => {
    const values = Array.from({ length: 1600 }, (_, i) => (i === 1234 ? bad : 0.1));
    for (const enc of ['float32', 'float64'] as const) {
      expectAudioError(decode(simpleWav([values], enc, RATE)), 'NON_FINITE', new RegExp(`sample 1234 \\(0\\.077 s\\) is ${bad}`));
    }
  });

  it('shorter than one 400-sample frame at 16 kHz, whatever the input rate', () => {
    expectAudioError(decode(simpleWav([new Array(399).fill(0)], 'pcm16', 16000)), 'TOO_SHORT', /shorter than one 400-sample frame/);
    expectAudioError(decode(simpleWav([new Array(199).fill(0)], 'pcm16', 8000)), 'TOO_SHORT', /398 samples at 16000 Hz/);
    // exactly one frame is enough
    expect(decodeWav(simpleWav([new Array(200).fill(0)], 'pcm16', 8000)).samples.length).toBe(400);
    expect(decodeWav(simpleWav([new Array(1103).fill(0)], 'pcm16', 44100)).samples.length).toBe(401);
  });

  it('errors name "<memory>" when no input is given', () => {
    expect(() => decodeWav(new Uint8Array(0))).toThrow(/^<memory>: /);
  });

  it('garbage after a valid RIFF header never escapes as a non-AudioError', () => {
    const base = simpleWav([randomInts(500, -100, 100, 3)], 'pcm16', RATE);
    for (let seed = 0; seed < 300; seed++) {
      const corrupt = base.slice(0, 12 + ((seed * 7) % 60));
      const noise = randomInts(corrupt.length - 12, 0, 255, seed);
      corrupt.set(noise, 12);
      try {
        decodeWav(corrupt, { input: NAME });
      } catch (error) {
        expect(error).toBeInstanceOf(AudioError);
      }
    }
  });
});
