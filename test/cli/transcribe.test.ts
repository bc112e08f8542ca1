import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { libraryTexts } from './libraryText.ts';
import { runCli, SAMPLES, spawnCli, TINY } from './runCli.ts';

const A = join(SAMPLES, 'espeak-digits.wav');
const B = join(SAMPLES, 'espeak-command.wav');
const ULAW = join(SAMPLES, 'espeak-digits-8k-ulaw.wav');
const model = ['--model', TINY];
let scratch: string;
let corrupt: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'las-cli-'));
  corrupt = join(scratch, 'corrupt.wav');
  writeFileSync(corrupt, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(6)]));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SRT_BLOCK = /^(\d+)\n(\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3})\n(.+)\n$/;
const VTT_CUE = /^(\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3})\n(.+)\n$/;
const seconds = (h: string, m: string, s: string, ms: string) => 3600 * Number(h) + 60 * Number(m) + Number(s) + Number(ms) / 1000;

/** Start/end pairs of cues in document order; fails on any block that is not a cue. */
function cueTimes(blocks: readonly string[], cue: RegExp, numbered: boolean): [number, number][] {
  return blocks.map((block, i) => {
    const m = cue.exec(`${block}\n`);
    if (m === null) throw new Error(`not a cue: ${JSON.stringify(block)}`);
    const g = numbered ? m.slice(2) : m.slice(1);
    if (numbered) expect(Number(m[1])).toBe(i + 1);
    expect(g[8]).toMatch(/^[a-z' ]+$/);
    return [seconds(g[0], g[1], g[2], g[3]), seconds(g[4], g[5], g[6], g[7])];
  });
}

function expectMonotone(spans: readonly [number, number][], duration: number): void {
  let previousEnd = 0;
  for (const [start, end] of spans) {
    expect(start).toBeGreaterThanOrEqual(previousEnd);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(end).toBeLessThanOrEqual(duration + 1e-9);
    previousEnd = end;
  }
}

describe('las transcribe formats', () => {
  it('text: the bare transcript for one input, file<TAB>text lines in input order for a batch', async () => {
    const one = await runCli(['transcribe', ...model, '--beam', '1', A]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`${(await libraryTexts([A], { beam: 1 }))[0]}\n`);
    const batch = await runCli(['transcribe', ...model, '--beam', '1', A, B]);
    expect(batch.code).toBe(0);
    const lines = batch.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual([A, B]);
    expect(lines[0].split('\t')[1]).toBe(one.stdout.trimEnd());
  });

  it('json: one parseable object per input with words in order, timings and the real-time factor', async () => {
    const run = await runCli(['transcribe', ...model, '--format', 'json', '--attention', 'local', '--beam', '2', A, ULAW]);
    expect(run.code).toBe(0);
    const records = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.file)).toEqual([A, ULAW]);
    // Each record holds the library's text for its own file with the same options.
    expect(records.map((r) => r.text)).toEqual(await libraryTexts([A, ULAW], { mode: 'local', beam: 2 }));
    for (const r of records) {
      expect(r).toMatchObject({ mode: 'local', beam: 2 });
      const audio = await readWavFile(r.file);
      expect(r.duration).toBeCloseTo(audio.samples.length / audio.sampleRate, 3); // JSON rounds to ms
      expect(Number.isFinite(r.rtf)).toBe(true);
      expect(r.words.map((w: { word: string }) => w.word).join(' ')).toBe(r.text);
      expectMonotone(r.words.map((w: { start: number; end: number }) => [w.start, w.end]), r.duration);
    }
  });

  it('srt: numbered cues with comma timestamps, in order, inside the audio', async () => {
    const run = await runCli(['transcribe', ...model, '--format', 'srt', '--beam', '1', B]);
    expect(run.code).toBe(0);
    const json = JSON.parse((await runCli(['transcribe', ...model, '--format', 'json', '--beam', '1', B])).stdout);
    const blocks = run.stdout.trimEnd().split('\n\n');
    expect(blocks.length).toBeGreaterThan(0);
    const spans = cueTimes(blocks, SRT_BLOCK, true);
    expectMonotone(spans, json.duration);
    expect(blocks.map((b) => b.split('\n')[2]).join(' ')).toBe(json.text);
  });

  it('vtt: the WEBVTT signature, then cues with dot timestamps', async () => {
    const run = await runCli(['transcribe', ...model, '--format', 'vtt', '--attention', 'local', A]);
    expect(run.code).toBe(0);
    const [head, ...blocks] = run.stdout.trimEnd().split('\n\n');
    expect(head).toBe('WEBVTT');
    const cues = blocks.filter((b) => !b.startsWith('NOTE '));
    expect(cues.length).toBeGreaterThan(0);
    expectMonotone(cueTimes(cues, VTT_CUE, false), 10);
  });

  it('--out-dir: one subtitle file per input', async () => {
    const dir = join(scratch, 'subs');
    const run = await runCli(['transcribe', ...model, '--format', 'vtt', '--out-dir', dir, A, B]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['espeak-command.vtt', 'espeak-digits.vtt']);
    expect(readFileSync(join(dir, 'espeak-digits.vtt'), 'utf8').startsWith('WEBVTT\n')).toBe(true);
  });
});

describe('las transcribe batches and errors', () => {
  it('a corrupt file in a batch gets a failure record; the others complete; exit code 1', async () => {
    const run = await runCli(['transcribe', ...model, '--format', 'json', '--beam', '1', A, corrupt, B]);
    expect(run.code).toBe(1);
    const records = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.file)).toEqual([A, corrupt, B]);
    expect(records[1]).toEqual({ file: corrupt, error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.stringContaining(corrupt) } });
    expect([records[0].text, records[2].text]).toEqual(await libraryTexts([A, B], { beam: 1 }));
  });

  it('in text format the failure is one stderr line naming the file', async () => {
    const missing = join(scratch, 'missing.wav');
    const run = await runCli(['transcribe', ...model, A, missing]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0].startsWith(`${A}\t`)).toBe(true);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^las transcribe: ${missing}: `))]);
  });

  it.each([
    ['no input files', [], /no input files/],
    ['an unknown mode', ['--attention', 'sideways', 'a.wav'], /--attention must be one of global, local/],
    ['a zero beam', ['--beam', '0', 'a.wav'], /--beam must be an integer in 1\.\.64, got "0"/],
    ['a non-numeric beam', ['--beam', 'wide', 'a.wav'], /--beam must be an integer/],
    ['a ctc weight above 1', ['--ctc-weight', '1.5', 'a.wav'], /--ctc-weight must be a number in 0\.\.1, got "1\.5"/],
    ['a non-numeric ctc weight', ['--ctc-weight', 'half', 'a.wav'], /--ctc-weight must be a number/],
    ['an unknown format', ['--format', 'doc', 'a.wav'], /--format must be one of text, json, srt, vtt/],
    ['an unknown option', ['--colour', 'a.wav'], /Unknown option '--colour'/],
    ['a window without local mode', ['--left', '4', 'a.wav'], /add --attention local/],
    ['subtitles for several inputs on stdout', ['--format', 'srt', 'a.wav', 'b.wav'], /add --out-dir/],
    ['stdin twice', ['-', '-'], /only once/],
    ['zero jobs', ['--jobs', '0', 'a.wav'], /--jobs must be an integer in 1\.\.64, got "0"/],
    ['more jobs than the cap', ['--jobs', '65', 'a.wav'], /--jobs must be an integer in 1\.\.64, got "65"/],
    ['fractional jobs', ['--jobs', '1.5', 'a.wav'], /--jobs must be an integer/],
  ])('%s is a usage error: one line, exit code 2', async (_, args, message) => {
    const run = await runCli(['transcribe', ...model, ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('a missing model is one line naming it, exit code 1', async () => {
    const dir = join(scratch, 'no-model');
    const run = await runCli(['transcribe', '--model', dir, A]);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^las transcribe: ${dir}: .*not found.*--model DIR`))]);
  });

  it('--precision reaches the model loader: int8 on a bundle with no int8 graph fails naming its config.json; a bad value is usage', async () => {
    const run = await runCli(['transcribe', ...model, '--precision', 'int8', A]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^las transcribe: ${join(TINY, 'config.json')}: precision int8 asked for`));
    const float = await runCli(['transcribe', ...model, '--precision', 'float32', A]);
    expect(float.code).toBe(0);
    const bad = await runCli(['transcribe', ...model, '--precision', 'int4', A]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--precision must be one of auto, int8, float32/);
  });

  it('--ref prints per-file and pooled WER/CER with S/D/I', async () => {
    const refs = join(scratch, 'refs.tsv');
    writeFileSync(refs, `file\ttranscript\nespeak-digits.wav\tthree seven one nine four\n${B}\tset a timer for ten minutes\n`);
    const run = await runCli(['transcribe', ...model, '--beam', '1', '--ref', refs, A, B, ULAW]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${A}\\s+5\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+[\\d.]+%\\s+[\\d.]+%`, 'm'));
    expect(run.stdout).toMatch(/pooled over 2 utterances: WER [\d.]+% \(S=\d+ D=\d+ I=\d+ C=\d+ N=11\), CER [\d.]+% \(S=\d+ D=\d+ I=\d+ N=\d+\)/);
    expect(run.stderr).toContain(`no reference transcript for ${ULAW}`);
    const json = await runCli(['transcribe', ...model, '--beam', '1', '--format', 'json', '--ref', refs, A]);
    expect(JSON.parse(json.stdout.split('\n')[0]).score).toMatchObject({ ref: 'three seven one nine four', N: 5 });
  });
});

describe('las transcribe from stdin (child process)', () => {
  it("'-' reads one WAV from stdin and names it <stdin>", async () => {
    const [piped, byPath] = await Promise.all([
      spawnCli(['transcribe', ...model, '--beam', '1', '--format', 'json', '-'], readFileSync(A)),
      runCli(['transcribe', ...model, '--beam', '1', '--format', 'json', A]),
    ]);
    expect(piped.code).toBe(0);
    const record = JSON.parse(piped.stdout);
    expect(record.file).toBe('<stdin>');
    expect(record.text).toBe(JSON.parse(byPath.stdout).text);
  });

  it('empty stdin is a failed input naming <stdin>, exit code 1', async () => {
    const run = await spawnCli(['transcribe', ...model, '-']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^las transcribe: <stdin>: /);
  });
});
