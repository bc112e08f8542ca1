import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeWavFile, readWavFile } from '../../src/audio/index.ts';
import { LasError } from '../../src/errors.ts';
import { writeCorpus } from '../../scripts/make-malformed-corpus.ts';
import { runCli } from '../cli/runCli.ts';

/** The script-generated malformed-input corpus: each case gives exactly its expected code. */
let dir: string;
let cases: { file: string; probe: string; decode: string }[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'las-corpus-'));
  writeCorpus(dir, { huge: true });
  cases = readFileSync(join(dir, 'expected.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [file, probe, decode] = line.split('\t');
      return { file, probe, decode };
    });
});
afterAll(() => {
  try {
    closeSync(openSync(join(dir, 'fifo.wav'), constants.O_WRONLY | constants.O_NONBLOCK)); // frees a reader stuck in open(), were there one
  } catch {
    // none waiting
  }
  rmSync(dir, { recursive: true, force: true });
});

async function answer(run: () => Promise<unknown>, input: string): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof LasError)) throw error;
    expect(error.input).toBe(input);
    return error.code;
  }
}

describe('malformed-input corpus', () => {
  it('covers structure, encodings, values, file types, a sparse 3 GiB file and content-free signals', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.decode))).toEqual(new Set(['EMPTY', 'NOT_WAV', 'TRUNCATED_HEADER', 'TRUNCATED_DATA', 'MALFORMED_HEADER', 'UNSUPPORTED_ENCODING', 'BAD_CHANNELS', 'BAD_SAMPLE_RATE', 'NON_FINITE', 'TOO_SHORT', 'READ_FAILED', 'ok', 'skip']));
  });

  it('probe and decode give each case its expected answer, naming the file', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const c of cases) {
      const path = join(dir, c.file);
      got.push(`${c.file} probe=${await answer(() => probeWavFile(path), path)} decode=${c.decode === 'skip' ? 'skip' : await answer(() => readWavFile(path), path)}`);
      want.push(`${c.file} probe=${c.probe} decode=${c.decode}`);
    }
    expect(got).toEqual(want);
  });

  it('las probe --json reports every case in one run, the sparse 3 GiB file with its duration', async () => {
    const run = await runCli(['probe', '--json', ...cases.map((c) => join(dir, c.file))]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.error?.code ?? 'ok')).toEqual(cases.map((c) => c.probe));
    expect(lines.find((l) => l.file.endsWith('sparse-3gib.wav'))).toMatchObject({ durationSeconds: (3 * 2 ** 30) / 32000 });
  });

  it('the script runs on its own and says how many cases it wrote', () => {
    const out = join(dir, 'again');
    const said = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../scripts/make-malformed-corpus.ts'), out], { encoding: 'utf8' });
    expect(said).toMatch(/^\d+ cases in .*again \(expected\.tsv\)\n$/);
  });
});
