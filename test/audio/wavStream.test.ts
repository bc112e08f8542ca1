import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioError, ConfigError } from '../../src/errors.ts';
import { decodeWav, probeWav, probeWavFile, readWavFile, streamWavFile } from '../../src/audio/index.ts';
import type { AudioErrorCode } from '../../src/errors.ts';
import { concatFloat, firstDifference } from './tone.ts';
import { buildWav, interleave, linearToMulaw, randomInts, simpleWav } from './wavFixture.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'las-audio-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function collect(source: AsyncIterable<{ samples: Float32Array; sampleRate: number }>): Promise<Float32Array[]> {
  const parts: Float32Array[] = [];
  for await (const chunk of source) parts.push(chunk.samples);
  return parts;
}


async function expectRejects(promise: Promise<unknown>, code: AudioErrorCode, input: string, reason: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AudioError);
  expect((error as AudioError).code).toBe(code);
  expect((error as AudioError).message).toContain(input);
  expect((error as AudioError).message).toMatch(reason);
}

describe('streamWavFile', () => {
  it.each([
    ['44.1 kHz stereo 16-bit', () => simpleWav([randomInts(44100 * 1.5, -20000, 20000, 1), randomInts(44100 * 1.5, -20000, 20000, 2)], 'pcm16', 44100)],
    ['48 kHz 6-channel 24-bit EXTENSIBLE', () => simpleWav([0, 1, 2, 3, 4, 5].map((c) => randomInts(48000, -(2 ** 22), 2 ** 22, c)), 'pcm24', 48000, { extensibleSubFormat: 1 })],
    ['22.05 kHz float32 after a fact chunk (misaligned)', () => simpleWav([randomInts(2 * 22050, -1000, 1000, 3).map((x) => x / 1000)], 'float32', 22050, { fmtWithCbSize: true, chunksBeforeData: [{ id: 'fact', body: new Uint8Array(4) }] })],
    ['8 kHz mu-law', () => simpleWav([randomInts(16000, -30000, 30000, 4).map(linearToMulaw)], 'mulaw', 8000)],
  ])('%s: chunks concatenate to exactly decodeWav of the whole file', async (_, make) => {
    const bytes = make();
    const path = writeTemp('equal.wav', bytes);
    const batch = decodeWav(bytes);
    for (const chunkSeconds of [0.37, 1, 10]) {
      const parts = await collect(streamWavFile(path, { chunkSeconds }));
      // 0.37 s gives several chunks even for the shortest (1 s) file here.
      if (chunkSeconds === 0.37) expect(parts.length).toBeGreaterThanOrEqual(3);
      expect(firstDifference(concatFloat(parts), batch.samples)).toBe(-1);
    }
    expect(firstDifference((await readWavFile(path)).samples, batch.samples)).toBe(-1);
    expect(await probeWavFile(path)).toEqual(probeWav(bytes));
  });

  it('probes and reads a file in blocks without waiting on the event loop (no thread-pool round trip)', async () => {
    // Between transcriptions, each asynchronous file operation left the event loop idle, and V8
    // then dropped the search's optimised code (issue 9); a regular file is read synchronously.
    const bytes = simpleWav([randomInts(16000 * 3, -20000, 20000, 5)], 'pcm16', 16000);
    const path = writeTemp('sync.wav', bytes);
    let turned = false;
    const turn = setImmediate(() => {
      turned = true;
    });
    const info = await probeWavFile(path);
    const parts = await collect(streamWavFile(path, { chunkSeconds: 0.5 }));
    const audio = await readWavFile(path);
    // Only promise jobs ran meanwhile: the event loop never got a turn.
    expect(turned).toBe(false);
    clearImmediate(turn);
    expect(info).toEqual(probeWav(bytes));
    expect(parts.length).toBeGreaterThanOrEqual(6);
    expect(firstDifference(concatFloat(parts), decodeWav(bytes).samples)).toBe(-1);
    expect(firstDifference(audio.samples, decodeWav(bytes).samples)).toBe(-1);
  });

  it('reads 10 minutes of audio block by block: memory stays flat and every sample is right', async () => {
    const RATE = 16000;
    const MINUTES = 10;
    const frames = MINUTES * 60 * RATE;
    // A 16-bit ramp that wraps: sample i is ((i * 7) mod 65536) - 32768, easy to check anywhere.
    const valueAt = (i: number) => ((i * 7) % 65536) - 32768;
    const path = join(dir, 'long.wav');
    const fd = openSync(path, 'w');
    const header = buildWav({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: 16, data: new Uint8Array(0), declaredDataSize: frames * 2 });
    new DataView(header.buffer).setUint32(4, header.length - 8 + frames * 2, true);
    writeSync(fd, header);
    const BLOCK = 1 << 16;
    for (let start = 0; start < frames; start += BLOCK) {
      const ints = Array.from({ length: Math.min(BLOCK, frames - start) }, (_, k) => valueAt(start + k));
      writeSync(fd, interleave([ints], 'pcm16'));
    }
    closeSync(fd);
    const fileBytes = header.length + frames * 2;
    expect((await probeWavFile(path)).durationSeconds).toBe(MINUTES * 60);

    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let seen = 0;
    let worst = 0;
    let chunks = 0;
    for await (const chunk of streamWavFile(path, { chunkSeconds: 1 })) {
      expect(chunk.sampleRate).toBe(RATE);
      expect(chunk.samples.length).toBeLessThanOrEqual(RATE);
      for (let k = 0; k < chunk.samples.length; k++) worst = Math.max(worst, Math.abs(chunk.samples[k] - valueAt(seen + k) / 32768));
      seen += chunk.samples.length;
      if (++chunks % 10 === 0) {
        // Twice: the first full collection may leave freed backing stores still counted.
        gc();
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
      }
    }
    expect(seen).toBe(frames);
    expect(worst).toBeLessThanOrEqual(1 / 32768 + 1e-7);
    // Holding the file (19 MB) or its samples (38 MB as float) would show here; one block is 32 kB
    // and the measured peak is under 100 kB.
    expect(peak).toBeLessThan(fileBytes / 32);
    rmSync(path);
  });

  it('rejects a file cut short before yielding anything', async () => {
    const bytes = simpleWav([randomInts(16000, -100, 100, 5)], 'pcm16', 16000);
    const path = writeTemp('cut.wav', bytes.subarray(0, bytes.length - 1000));
    await expectRejects(collect(streamWavFile(path)), 'TRUNCATED_DATA', path, /declares 32000 bytes but only 31000/);
    await expectRejects(readWavFile(path), 'TRUNCATED_DATA', path, /cut short/);
    await expectRejects(probeWavFile(path), 'TRUNCATED_DATA', path, /cut short/);
  });

  it('reports NaN deep inside a long file with its position', async () => {
    const values = new Array(5 * 16000).fill(0.25);
    values[4 * 16000 + 5] = NaN;
    const path = writeTemp('nan.wav', simpleWav([values], 'float32', 16000));
    const got: number[] = [];
    const run = (async () => {
      for await (const chunk of streamWavFile(path, { chunkSeconds: 1 })) got.push(chunk.samples.length);
    })();
    await expectRejects(run, 'NON_FINITE', path, /sample 64005 \(4\.000 s\) is NaN/);
    expect(got).toEqual([16000, 16000, 16000, 16000]);
  });

  it('rejects missing files, directories, empty and too-short files with typed errors', async () => {
    const missing = join(dir, 'no-such.wav');
    await expectRejects(readWavFile(missing), 'READ_FAILED', missing, /ENOENT/);
    await expectRejects(readWavFile(dir), 'READ_FAILED', dir, /not a regular file/);
    const empty = writeTemp('empty.wav', new Uint8Array(0));
    await expectRejects(readWavFile(empty), 'EMPTY', empty, /empty/);
    const short = writeTemp('short.wav', simpleWav([new Array(300).fill(0)], 'pcm16', 16000));
    await expectRejects(readWavFile(short), 'TOO_SHORT', short, /300 samples/);
    const text = writeTemp('notes.wav', new TextEncoder().encode('hello, this is text\n'));
    await expectRejects(readWavFile(text, { input: 'my-notes' }), 'NOT_WAV', 'my-notes', /not a WAV/);
  });

  it('validates its options', async () => {
    const path = writeTemp('ok.wav', simpleWav([new Array(1600).fill(0)], 'pcm16', 16000));
    await expect(collect(streamWavFile(path, { chunkSeconds: 0 }))).rejects.toThrow(ConfigError);
    await expect(readWavFile(path, { targetRate: 0 })).rejects.toThrow(ConfigError);
    await expect(readWavFile(path, { targetRate: 384_001 })).rejects.toThrow(/targetRate must be an integer in 1\.\.384000 Hz/);
  });

  it('parses a header whose fmt chunk sits after the data, with positioned reads', async () => {
    const ints = randomInts(8000, -30000, 30000, 9);
    const bytes = simpleWav([ints], 'pcm16', 8000, { dataFirst: true });
    const path = writeTemp('late-fmt.wav', bytes);
    expect(await probeWavFile(path)).toMatchObject({ dataOffset: 20, frames: 8000, sampleRate: 8000 });
    expect((await readWavFile(path)).samples).toEqual(decodeWav(bytes).samples);
  });
});
