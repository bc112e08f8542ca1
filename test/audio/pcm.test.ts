import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/errors.ts';
import { decodeWav, pcmS16leChunks, type PcmOptions } from '../../src/audio/index.ts';
import type { AudioErrorCode } from '../../src/errors.ts';
import { concatFloat, firstDifference } from './tone.ts';
import { interleave, randomInts, simpleWav } from './wavFixture.ts';

async function collect(source: AsyncIterable<{ samples: Float32Array; sampleRate: number }>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const chunk of source) {
    expect(chunk.sampleRate).toBe(16000);
    expect(chunk.samples.length).toBeGreaterThan(0);
    parts.push(chunk.samples);
  }
  return concatFloat(parts);
}

/** Splits bytes at the given sizes (cycled), so frames and samples straddle chunk boundaries. */
function split(bytes: Uint8Array, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0, k = 0; pos < bytes.length; k++) {
    const size = sizes[k % sizes.length];
    out.push(Buffer.from(bytes.subarray(pos, pos + size)));
    pos += size;
  }
  return out;
}

async function expectRejects(promise: Promise<unknown>, code: AudioErrorCode, reason: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AudioError);
  expect((error as AudioError).code).toBe(code);
  expect((error as AudioError).message).toMatch(/^<mic>: /);
  expect((error as AudioError).message).toMatch(reason);
}

const RATE = 44100;
const left = randomInts(RATE / 2, -32768, 32767, 1);
const right = randomInts(RATE / 2, -32768, 32767, 2);
const raw = interleave([left, right], 'pcm16');
const options: PcmOptions = { sampleRate: RATE, channels: 2, input: '<mic>' };
const expected = decodeWav(simpleWav([left, right], 'pcm16', RATE)).samples;

describe('pcmS16leChunks', () => {
  it.each([
    ['1-byte chunks', [1]],
    ['odd sizes (3, 5, 1, 4097)', [3, 5, 1, 4097]],
    ['one big chunk', [raw.length]],
  ])('%s give exactly what the same audio as a WAV gives', async (_, sizes) => {
    const bytes = sizes[0] === 1 ? raw.subarray(0, 16001) : raw; // 1-byte chunks are slow: a prefix
    const want = sizes[0] === 1 ? decodeWav(simpleWav([left.slice(0, 4000), right.slice(0, 4000)], 'pcm16', RATE)).samples : expected;
    const got = await collect(pcmS16leChunks(Readable.from(split(bytes, sizes)), options));
    expect(firstDifference(got, want)).toBe(-1);
  });

  it('reads a child process stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'las-pcm-'));
    try {
      const path = join(dir, 'audio.raw');
      writeFileSync(path, raw);
      const child = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'inherit'] });
      const got = await collect(pcmS16leChunks(child.stdout, options));
      expect(firstDifference(got, expected)).toBe(-1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops a partial frame at the end of the stream', async () => {
    const got = await collect(pcmS16leChunks(Readable.from([Buffer.from(raw), Buffer.from([1, 2, 3])]), options));
    expect(firstDifference(got, expected)).toBe(-1);
  });

  it('mono at 16 kHz passes through with the decoder scaling', async () => {
    const ints = [0, -32768, 32767, 1000, -1000];
    const got = await collect(pcmS16leChunks(Readable.from([Buffer.from(interleave([ints], 'pcm16'))]), { sampleRate: 16000, channels: 1, input: '<mic>' }));
    expect(Array.from(got)).toEqual(Array.from(Float32Array.from([0, -1, 1, 1000 / 32767, -1000 / 32768])));
  });

  it('a failing source becomes READ_FAILED naming the input', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('device unplugged'));
      },
    });
    await expectRejects(collect(pcmS16leChunks(failing, options)), 'READ_FAILED', /device unplugged/);
  });

  it('a text stream is refused', async () => {
    await expectRejects(collect(pcmS16leChunks(Readable.from(['abcd']), options)), 'READ_FAILED', /expected bytes/);
  });

  it('stopping early destroys the source', async () => {
    const source = Readable.from(split(raw, [8192]));
    for await (const chunk of pcmS16leChunks(source, options)) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it.each([
    [{ sampleRate: 0, channels: 1 }, 'BAD_SAMPLE_RATE', /sample rate 0/],
    [{ sampleRate: 16000, channels: 0 }, 'BAD_CHANNELS', /channel count 0/],
    [{ sampleRate: 16000, channels: 1, targetRate: 500 }, 'BAD_SAMPLE_RATE', /sample rate 500/],
  ] as const)('rejects bad options %o', async (opts, code, reason) => {
    await expectRejects(collect(pcmS16leChunks(Readable.from([]), { ...opts, input: '<mic>' })), code, reason);
  });
});
