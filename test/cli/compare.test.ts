import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolScores, scoreUtterance } from '../../src/metrics/index.ts';
import { REPORT_FILES } from '../../src/report/writeComparison.ts';
import { checkWellFormed, svgSize } from '../report/xml.ts';
import { runCli, SAMPLES, TINY } from './runCli.ts';

let scratch: string;
const model = ['--model', TINY, '--beam', '1'];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'las-compare-'));
  mkdirSync(join(scratch, 'corpus', 'audio'), { recursive: true });
  for (const n of ['espeak-digits.wav', 'flite-kal-sentence.wav', 'espeak-command.wav']) copyFileSync(join(SAMPLES, n), join(scratch, 'corpus', 'audio', n));
  writeFileSync(
    join(scratch, 'corpus', 'manifest.tsv'),
    'path\ttranscript\naudio/espeak-digits.wav\tthree seven one nine four\naudio/flite-kal-sentence.wav\tthe quick brown fox jumps over the lazy dog\n',
  );
  writeFileSync(join(scratch, 'corpus', 'audio', 'refs.tsv'), 'espeak-command.wav\tset a timer for ten minutes\n');
  writeFileSync(join(scratch, 'corpus', 'audio', 'broken.wav'), 'RIFF....WAVEjunk');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('las compare', () => {
  it('writes report.md, both pictures and report.json for a manifest with both modes', async () => {
    const out = join(scratch, 'report');
    const run = await runCli(['compare', join(scratch, 'corpus', 'manifest.tsv'), '--out', out, ...model]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\| global \| 2 \|/m);
    expect(run.stdout).toMatch(/^\| local \| 2 \|/m);

    const md = readFileSync(join(out, REPORT_FILES.markdown), 'utf8');
    for (const svgName of [REPORT_FILES.alignment, REPORT_FILES.werVsDuration]) {
      expect(md).toContain(`](${svgName})`);
      const svg = readFileSync(join(out, svgName), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      checkWellFormed(svg);
      expect(svgSize(svg).width).toBeGreaterThan(0);
      expect(svgSize(svg).height).toBeGreaterThan(0);
    }
    // the alignment picture is of the longest utterance, one panel per mode
    const alignment = readFileSync(join(out, REPORT_FILES.alignment), 'utf8');
    expect(alignment).toContain('audio/flite-kal-sentence.wav');
    expect(alignment).toContain('global attention');
    expect(alignment).toContain('local attention');

    const json = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8'));
    expect(json.modes).toEqual(['global', 'local']);
    expect(json.summaries.map((s: { mode: string }) => s.mode)).toEqual(['global', 'local']);
    for (const s of json.summaries) {
      expect(s).toMatchObject({ utterances: 2, scored: 2, N: 14 });
      // The summary pools the per-utterance counts: recompute it from the report's references and texts.
      const scores = json.utterances.map((u: any) => scoreUtterance(u.id, u.reference, u.runs.find((r: { mode: string }) => r.mode === s.mode).text));
      const pooled = poolScores(scores);
      expect(s.wer).toBeCloseTo(pooled.wer, 5); // JSON rounds rates to 6 places
      expect(s.cer).toBeCloseTo(pooled.cer, 5);
      expect({ S: s.S, D: s.D, I: s.I }).toEqual({ S: pooled.S, D: pooled.D, I: pooled.I });
      expect(s.audioSeconds).toBeCloseTo(json.utterances.reduce((a: number, u: { seconds: number }) => a + u.seconds, 0), 5); // JSON rounds seconds
    }
    // local attends to at most left + right + 1 frames per step; global to every frame
    const [g, l] = json.summaries;
    expect(l.framesAttendedPerToken).toBeLessThan(g.framesAttendedPerToken);
    expect(json.utterances.map((u: { id: string }) => u.id)).toEqual(['audio/espeak-digits.wav', 'audio/flite-kal-sentence.wav']);
    expect(json.utterances[0].runs.map((r: { mode: string }) => r.mode)).toEqual(['global', 'local']);
  });

  it('a folder means every WAV in it, with refs.tsv; a broken file is listed and gives exit code 1', async () => {
    const out = join(scratch, 'folder-report');
    const run = await runCli(['compare', join(scratch, 'corpus', 'audio'), '--out', out, '--modes', 'local', ...model]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^las compare: .*broken\.wav: /);
    const json = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8'));
    expect(json.modes).toEqual(['local']);
    expect(json.utterances.map((u: { id: string }) => u.id)).toEqual(['espeak-command.wav', 'espeak-digits.wav', 'flite-kal-sentence.wav']);
    expect(json.summaries[0]).toMatchObject({ utterances: 3, scored: 1, N: 6 });
    expect(json.failed).toEqual([{ id: 'broken.wav', code: expect.any(String), message: expect.stringContaining('broken.wav') }]);
    expect(readFileSync(join(out, REPORT_FILES.markdown), 'utf8')).toContain('## Failed inputs');
  });

  it.each([
    ['no input', [], /give a manifest file or a folder/],
    ['an unknown mode', ['x.tsv', '--modes', 'global,sideways'], /unknown attention mode "sideways"/],
    ['a repeated mode', ['x.tsv', '--modes', 'local,local'], /lists a mode twice/],
    ['a negative beam', ['x.tsv', '--beam=-1'], /--beam must be an integer in 1\.\.64, got "-1"/],
    ['a beam without its value', ['x.tsv', '--beam'], /--beam.*argument missing/],
  ])('%s is a usage error, exit code 2', async (_, args, message) => {
    const run = await runCli(['compare', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('a bad manifest line is one error naming the file and line, exit code 1, no report', async () => {
    const manifest = join(scratch, 'bad.tsv');
    writeFileSync(manifest, 'a.wav\tone\nb.wav two\n');
    const out = join(scratch, 'never');
    const run = await runCli(['compare', manifest, '--out', out, ...model]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`las compare: ${manifest}: line 2: expected 2 tab-separated fields (path, transcript), found 1`);
    expect(existsSync(out)).toBe(false);
  });
});
