import { describe, expect, it } from 'vitest';
import { decodeWav, probeWav } from '../../src/audio/index.ts';
import { buildWav, fullScale, interleave, linearToAlaw, linearToMulaw, randomInts, simpleWav, FORMAT_TAG, type FixtureEncoding } from './wavFixture.ts';

const FRAMES = 1000;
const RATE = 8000;
/** Decode at the file's own rate, so the values come back without resampling. */
const native = (rate = RATE) => ({ targetRate: rate, input: 'fixture.wav' });

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('decodeWav: PCM', () => {
  const cases: ['pcm8' | 'pcm16' | 'pcm24' | 'pcm32', number][] = [['pcm8', 1], ['pcm16', 2], ['pcm24', 3], ['pcm32', 4]];
  it.each(cases)('%s decodes to value / 2^(bits-1), extremes included', (enc, seed) => {
    const scale = fullScale(enc);
    const ints = [-scale, scale - 1, 0, -1, 1, ...randomInts(FRAMES - 5, -scale, scale - 1, seed)];
    const audio = decodeWav(simpleWav([ints], enc, RATE), native());
    expect(audio.sampleRate).toBe(RATE);
    // Positive values may be scaled by 2^(bits-1) - 1 instead: one step of tolerance covers it.
    expectClose(audio.samples, ints.map((x) => x / scale), 1 / scale + 1e-7);
    expect(audio.samples[0]).toBe(-1); // node-wav's 24-bit decoder gets this one wrong (+1)
    expect(audio.samples[1]).toBeGreaterThan(0.99);
    expect(audio.samples[1]).toBeLessThanOrEqual(1);
    expect(audio.samples[2]).toBe(0);
  });

  it('12-bit samples in a 16-bit container decode as 16-bit', () => {
    const ints = randomInts(FRAMES, -2048, 2047, 7).map((x) => x * 16); // left-justified
    const wav = buildWav({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: 12, blockAlign: 2, data: interleave([ints], 'pcm16') });
    expectClose(decodeWav(wav, native()).samples, ints.map((x) => x / 32768), 1 / 32768 + 1e-7);
  });
});

describe('decodeWav: float', () => {
  const values = [0, 0.5, -0.25, 1, -1, 1.25, ...randomInts(FRAMES - 6, -1e6, 1e6, 3).map((x) => x / 1e6)];
  it.each(['float32', 'float64'] as const)('%s values come back as written', (enc) => {
    expectClose(decodeWav(simpleWav([values], enc, RATE), native()).samples, Float32Array.from(values), 0);
  });

  // sox and ffmpeg write an 18-byte fmt and a 12-byte fact chunk: data then starts at byte 58,
  // which node-wav's Float32Array/Float64Array views refuse.
  it.each(['float32', 'float64'] as const)('%s after a fact chunk (misaligned data) decodes', (enc) => {
    const fact = { id: 'fact', body: new Uint8Array([FRAMES & 0xff, FRAMES >> 8, 0, 0]) };
    const wav = simpleWav([values], enc, RATE, { fmtWithCbSize: true, chunksBeforeData: [fact] });
    expect(probeWav(wav).dataOffset % 4).toBe(2);
    expectClose(decodeWav(wav, native()).samples, Float32Array.from(values), 0);
  });
});

describe('decodeWav: G.711', () => {
  const linear = randomInts(FRAMES, -32000, 32000, 11);

  it('mu-law: known codes and a round trip through the encoder', () => {
    const codes = [0xff, 0x7f, 0x80, 0x00, ...linear.slice(4).map(linearToMulaw)];
    const samples = decodeWav(simpleWav([codes], 'mulaw', RATE), native()).samples;
    expect(samples[0]).toBe(0); // 0xFF is +0
    expect(samples[1]).toBe(0); // 0x7F is -0
    expect(samples[2]).toBeCloseTo(32124 / 32768, 7);
    expect(samples[3]).toBeCloseTo(-32124 / 32768, 7);
    for (let i = 4; i < FRAMES; i++) {
      // mu-law keeps about 4 significant bits: error under 1/16 of the magnitude plus a step.
      expect(Math.abs(samples[i] - linear[i] / 32768)).toBeLessThanOrEqual(Math.abs(linear[i] / 32768) / 16 + 8 / 32768);
    }
  });

  it('A-law: known codes and a round trip through the encoder', () => {
    const codes = [0xd5, 0x55, 0xaa, 0x2a, ...linear.slice(4).map(linearToAlaw)];
    const samples = decodeWav(simpleWav([codes], 'alaw', RATE), native()).samples;
    expect(samples[0]).toBeCloseTo(8 / 32768, 9);
    expect(samples[1]).toBeCloseTo(-8 / 32768, 9);
    expect(samples[2]).toBeCloseTo(32256 / 32768, 7);
    expect(samples[3]).toBeCloseTo(-32256 / 32768, 7);
    for (let i = 4; i < FRAMES; i++) {
      expect(Math.abs(samples[i] - linear[i] / 32768)).toBeLessThanOrEqual(Math.abs(linear[i] / 32768) / 16 + 16 / 32768);
    }
  });
});

describe('decodeWav: EXTENSIBLE (0xFFFE)', () => {
  it('24-bit stereo PCM sub-format, as sox writes it', () => {
    const left = randomInts(FRAMES, -(2 ** 23), 2 ** 23 - 1, 21);
    const right = randomInts(FRAMES, -(2 ** 23), 2 ** 23 - 1, 22);
    const wav = simpleWav([left, right], 'pcm24', RATE, { extensibleSubFormat: 1 });
    expect(probeWav(wav)).toMatchObject({ formatTag: 0xfffe, format: 'pcm', channels: 2, bitsPerSample: 24 });
    const expected = left.map((l, i) => (l + right[i]) / 2 / 2 ** 23);
    expectClose(decodeWav(wav, native()).samples, expected, 1 / 2 ** 23 + 1e-7);
  });

  it('float sub-format', () => {
    const values = randomInts(FRAMES, -1000, 1000, 5).map((x) => x / 1000);
    const wav = simpleWav([values], 'float32', RATE, { extensibleSubFormat: 3 });
    expectClose(decodeWav(wav, native()).samples, Float32Array.from(values), 0);
  });

  it('24 valid bits in a 32-bit container', () => {
    const ints = randomInts(FRAMES, -(2 ** 23), 2 ** 23 - 1, 9).map((x) => x * 256);
    const wav = simpleWav([ints], 'pcm32', RATE, { extensibleSubFormat: 1, validBits: 24 });
    expect(probeWav(wav).bitsPerSample).toBe(24);
    expectClose(decodeWav(wav, native()).samples, ints.map((x) => x / 2 ** 31), 1e-7);
  });
});

describe('decodeWav: channels and structure', () => {
  it('averages 6 channels', () => {
    const planar = [0, 1, 2, 3, 4, 5].map((ch) => randomInts(FRAMES, -32768, 32767, 100 + ch));
    const expected = planar[0].map((_, i) => planar.reduce((sum, c) => sum + c[i], 0) / 6 / 32768);
    expectClose(decodeWav(simpleWav(planar, 'pcm16', RATE), native()).samples, expected, 1 / 32768 + 1e-7);
  });

  it('skips LIST chunks, odd-sized chunks with their pad byte, and trailing chunks', () => {
    const ints = randomInts(FRAMES, -32768, 32767, 4);
    const odd = { id: 'LIST', body: new Uint8Array(7).fill(0x41) };
    const wav = simpleWav([ints], 'pcm16', RATE, { chunksBeforeFmt: [odd], chunksBeforeData: [odd], chunksAfterData: [odd] });
    expect(probeWav(wav).dataOffset).toBe(12 + 16 + 24 + 16 + 8);
    expectClose(decodeWav(wav, native()).samples, ints.map((x) => x / 32768), 1 / 32768 + 1e-7);
  });

  it('finds a fmt chunk that follows the data', () => {
    const ints = randomInts(FRAMES, -32768, 32767, 6);
    expectClose(decodeWav(simpleWav([ints], 'pcm16', RATE, { dataFirst: true }), native()).samples, ints.map((x) => x / 32768), 1 / 32768 + 1e-7);
  });

  it('reads a data chunk of unknown length (0xFFFFFFFF, as ffmpeg writes to a pipe) to the end of file', () => {
    const ints = randomInts(FRAMES, -32768, 32767, 8);
    const wav = simpleWav([ints], 'pcm16', RATE, { declaredDataSize: 0xffffffff });
    expect(probeWav(wav).frames).toBe(FRAMES);
    expectClose(decodeWav(wav, native()).samples, ints.map((x) => x / 32768), 1 / 32768 + 1e-7);
  });

  it('RF64: takes the data size from the ds64 chunk', () => {
    const ints = randomInts(FRAMES, -32768, 32767, 13);
    const ds64 = new Uint8Array(28);
    new DataView(ds64.buffer).setUint32(8, FRAMES * 2, true); // dataSize, low 32 bits
    const trailer = { id: 'LIST', body: new Uint8Array(100).fill(0x7f) }; // must not be read as audio
    const wav = simpleWav([ints], 'pcm16', RATE, { chunksBeforeFmt: [{ id: 'ds64', body: ds64 }], declaredDataSize: 0xffffffff, chunksAfterData: [trailer] });
    wav.set([0x52, 0x46, 0x36, 0x34, 0xff, 0xff, 0xff, 0xff], 0); // "RF64", size in ds64
    expect(probeWav(wav)).toMatchObject({ container: 'RF64', frames: FRAMES });
    expectClose(decodeWav(wav, native()).samples, ints.map((x) => x / 32768), 1 / 32768 + 1e-7);
  });

  it('ignores a trailing partial frame in the data chunk', () => {
    const ints = randomInts(FRAMES, -32768, 32767, 10);
    const data = interleave([ints], 'pcm16');
    const wav = buildWav({ formatTag: FORMAT_TAG.pcm16, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: Uint8Array.from([...data, 0x12]) });
    expect(decodeWav(wav, native()).samples.length).toBe(FRAMES);
  });

  it('accepts a Node Buffer sliced out of a larger pool', () => {
    const ints = randomInts(FRAMES, -32768, 32767, 12);
    const wav = simpleWav([ints], 'pcm16', RATE);
    const pool = Buffer.alloc(wav.length + 3);
    pool.set(wav, 3);
    expectClose(decodeWav(pool.subarray(3), native()).samples, ints.map((x) => x / 32768), 1 / 32768 + 1e-7);
  });

  const rates = [8000, 11025, 16000, 22050, 32000, 37800, 44100, 48000];
  it.each(rates)('%i Hz probes and decodes to 16 kHz with the resampled length', (rate) => {
    const enc: FixtureEncoding = 'pcm16';
    const frames = Math.round(rate * 0.3);
    const wav = simpleWav([randomInts(frames, -1000, 1000, rate)], enc, rate);
    expect(probeWav(wav)).toMatchObject({ sampleRate: rate, frames, durationSeconds: frames / rate, format: 'pcm', bitsPerSample: 16 });
    const audio = decodeWav(wav);
    expect(audio.sampleRate).toBe(16000);
    expect(audio.samples.length).toBe(Math.ceil((frames * 16000) / rate));
  });
});
