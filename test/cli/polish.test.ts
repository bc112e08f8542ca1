import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/audio/wav.ts';
import { expandInputs } from '../../src/cli/inputs.ts';
import { readStdin } from '../../src/cli/stdin.ts';
import { wavBytesChunks } from '../../src/rx/wavChunks.ts';
import { libraryTexts } from './libraryText.ts';
import { runCli, SAMPLES, spawnCli, TINY } from './runCli.ts';

const model = ['--model', TINY];
let scratch: string;
let folder: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'las-polish-'));
  folder = join(scratch, 'clips');
  mkdirSync(folder);
  copyFileSync(join(SAMPLES, 'espeak-digits.wav'), join(folder, 'b.wav'));
  copyFileSync(join(SAMPLES, 'espeak-command.wav'), join(folder, 'a.WAV'));
  writeFileSync(join(folder, 'notes.txt'), 'not audio');
  writeFileSync(join(folder, 'refs.tsv'), 'a.WAV\tset a timer for ten minutes\nb.wav\tthree seven one nine four\n');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('las transcribe DIR', () => {
  it('expands a folder to its .wav files by name, with its refs.tsv', () => {
    expect(expandInputs([folder])).toEqual({ files: [join(folder, 'a.WAV'), join(folder, 'b.wav')], folderRefs: join(folder, 'refs.tsv') });
  });

  it('keeps files, stdin and missing paths as given; refs only for a folder on its own', () => {
    const missing = join(scratch, 'nope.wav');
    expect(expandInputs(['-', missing, folder])).toEqual({ files: ['-', missing, join(folder, 'a.WAV'), join(folder, 'b.wav')] });
  });

  it('a folder with no .wav is a usage error naming it', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const run = await runCli(['transcribe', ...model, empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`las transcribe: ${empty}: no .wav files in this folder\n`);
  });

  it('in a batch, a folder with no .wav fails as its own item and the other inputs complete', async () => {
    const empty = join(scratch, 'empty-in-batch');
    mkdirSync(empty);
    const run = await runCli(['transcribe', ...model, '--beam', '1', '--format', 'json', empty, join(folder, 'b.wav')]);
    expect(run.code).toBe(1);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { file: string; text?: string; error?: { code: string } });
    expect(records.map((r) => r.file)).toEqual([empty, join(folder, 'b.wav')]);
    expect(records[0]!.error?.code).toBe('READ_FAILED');
    expect([records[1]!.text]).toEqual(await libraryTexts([join(folder, 'b.wav')], { beam: 1 }));
  });

  it('transcribes every clip of the folder and scores them against its refs.tsv', async () => {
    const run = await runCli(['transcribe', ...model, '--beam', '1', '--format', 'json', folder]);
    expect(run.code).toBe(0);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { file: string; score?: { ref: string } });
    expect(records.map((r) => r.file)).toEqual([join(folder, 'a.WAV'), join(folder, 'b.wav')]);
    expect(records.map((r) => r.score?.ref)).toEqual(['set a timer for ten minutes', 'three seven one nine four']);
  });
});

describe('las transcribe --out-dir', () => {
  it('text files hold only the transcript, not the file name', async () => {
    const out = join(scratch, 'texts');
    const run = await runCli(['transcribe', ...model, '--beam', '1', '--out-dir', out, join(folder, 'a.WAV'), join(folder, 'b.wav')]);
    expect(run.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['a.txt', 'b.txt']);
    const texts = await libraryTexts([join(folder, 'a.WAV'), join(folder, 'b.wav')], { beam: 1 });
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe(`${texts[0]}\n`);
    expect(readFileSync(join(out, 'b.txt'), 'utf8')).toBe(`${texts[1]}\n`);
  });
});

describe('las listen --input -', () => {
  it('wavBytesChunks gives 100 ms chunks that add up to the decoded file', async () => {
    const bytes = readFileSync(join(SAMPLES, 'espeak-digits.wav'));
    const chunks = await lastValueFrom(wavBytesChunks(bytes, { input: '<stdin>' }).pipe(toArray()));
    const whole = decodeWav(bytes);
    expect(chunks.slice(0, -1).every((c) => c.samples.length === 1600 && c.sampleRate === 16000)).toBe(true);
    expect(Float32Array.from(chunks.flatMap((c) => [...c.samples]))).toEqual(whole.samples);
  });

  it('reads a WAV from stdin and ends with a final event', async () => {
    const run = await spawnCli(['listen', ...model, '--input', '-', '--json'], readFileSync(join(SAMPLES, 'espeak-digits.wav')));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; reason?: string });
    expect(events.at(-1)).toMatchObject({ type: 'final', reason: 'end' });
  });

  it('empty stdin is a typed error naming <stdin>', async () => {
    const run = await spawnCli(['listen', ...model, '--input', '-']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^las listen: <stdin>: .*empty/m);
  });

  it('readStdin joins every chunk', async () => {
    async function* parts() {
      yield Buffer.from('ab');
      yield Buffer.from('c');
    }
    expect(Buffer.from(await readStdin(parts())).toString()).toBe('abc');
  });
});
