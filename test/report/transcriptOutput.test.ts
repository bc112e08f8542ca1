import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioError } from '../../src/errors.ts';
import { scoreUtterance } from '../../src/metrics/index.ts';
import { createProgress, formatDuration, renderProgress, renderSummary } from '../../src/report/progress.ts';
import { failureRecord, formatTranscript, transcriptRecord } from '../../src/report/transcriptFormats.ts';
import { createTranscriptWriter } from '../../src/report/transcriptWriter.ts';
import { failed, ok } from '../../src/util/item.ts';
import { fakeResult } from './fakeResult.ts';

const sink = () => {
  const chunks: string[] = [];
  return { chunks, write: (c: string) => chunks.push(c), text: () => chunks.join('') };
};
const silent = { tick: () => {}, done: () => {}, summary: () => {} };
const scratch = mkdtempSync(join(tmpdir(), 'las-writer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('transcript formats', () => {
  const result = fakeResult({ text: 'hello big world', seconds: 3, totalMs: 300 });

  it('makes a JSON record with words, timings and the real-time factor', () => {
    const score = scoreUtterance('a.wav', 'hello world', result.text);
    const rec = transcriptRecord('a.wav', result, score);
    expect(rec).toMatchObject({ file: 'a.wav', text: 'hello big world', mode: 'global', beam: 1, duration: 3, rtf: 0.1 });
    expect(rec.words.map((w) => w.word)).toEqual(['hello', 'big', 'world']);
    expect(rec.score).toMatchObject({ wer: 0.5, S: 0, D: 0, I: 1, N: 2 });
    expect(JSON.parse(formatTranscript('json', 'a.wav', result)).score).toBeUndefined();
  });

  it('rounds times to the millisecond and timings to whole milliseconds', () => {
    const rec = transcriptRecord('a.wav', fakeResult({ text: 'ab cd', seconds: 1.23456789, totalMs: 123.456 }));
    expect(rec.duration).toBe(1.235);
    expect(rec.timing).toEqual({ featuresMs: 12, encoderMs: 25, decoderMs: 86, totalMs: 123 });
    for (const w of rec.words) for (const t of [w.start, w.end]) expect(Math.round(t * 1000) / 1000).toBe(t);
  });

  it('marks a result without speech, and lists the segments', () => {
    expect(transcriptRecord('a.wav', fakeResult({ text: '' }))).toMatchObject({ text: '', noSpeech: true, segments: [{ start: 0, end: 2, text: '', noSpeech: true }] });
    expect(transcriptRecord('a.wav', fakeResult({ text: 'ab cd' }))).toMatchObject({ noSpeech: false, segments: [{ text: 'ab cd', noSpeech: false }] });
  });

  it('labels text lines only for a batch', () => {
    expect(formatTranscript('text', 'a.wav', result)).toBe('hello big world\n');
    expect(formatTranscript('text', 'a.wav', result, { labelled: true })).toBe('a.wav\thello big world\n');
  });

  it('writes a failure as {file, error: {code, message}}', () => {
    expect(failureRecord('b.wav', new AudioError('EMPTY', 'zero bytes', 'b.wav'))).toEqual({ file: 'b.wav', error: { code: 'EMPTY', message: 'b.wav: zero bytes' } });
  });
});

describe('progress bar', () => {
  it('renders the fraction done and cuts a long label to the terminal width', () => {
    expect(renderProgress(1, 4, 'a.wav')).toBe(`[${'#'.repeat(6)}${'-'.repeat(18)}] 1/4 a.wav`);
    const line = renderProgress(3, 3, 'x'.repeat(200), 60);
    expect(line.length).toBeLessThanOrEqual(60);
    expect(line).toContain('...xxx');
  });

  it('shows the time elapsed and, at the pace so far, the time left', () => {
    expect(renderProgress(1, 4, 'a.wav', 120, 10)).toBe(`[${'#'.repeat(6)}${'-'.repeat(18)}] 1/4 10 s, 30 s left a.wav`);
    expect(renderProgress(4, 4, 'd.wav', 120, 130)).toBe(`[${'#'.repeat(24)}] 4/4 2 min 10 s d.wav`);
    expect(formatDuration(3725)).toBe('1 h 02 min');
  });

  it('ends a run on a terminal with one summary line: files, failures, audio, wall time, RTF', () => {
    expect(renderSummary({ command: 'las transcribe', files: 140, failed: 2, audioSeconds: 427 }, 2.9)).toBe('las transcribe: 140 files, 2 failed, 7 min 07 s of audio in 3 s, RTF 0.0068');
    expect(renderSummary({ command: 'las transcribe', files: 1, failed: 0, audioSeconds: 7200 }, 36)).toBe('las transcribe: 1 file, 0 failed, 2.00 h of audio in 36 s, RTF 0.0050');
    let clock = 0;
    const tty = { ...sink(), isTTY: true, columns: 80 };
    const progress = createProgress(2, tty, () => clock);
    progress.tick('a');
    clock = 4000;
    progress.summary({ command: 'las transcribe', files: 2, failed: 1, audioSeconds: 8 });
    expect(tty.text().endsWith('\r\x1b[2Klas transcribe: 2 files, 1 failed, 8 s of audio in 4 s, RTF 0.50\n')).toBe(true);
    const piped = sink();
    createProgress(2, piped).summary({ command: 'x', files: 1, failed: 0, audioSeconds: 1 });
    expect(piped.chunks).toEqual([]);
  });

  it('draws only on a terminal', () => {
    const pipe = sink();
    const off = createProgress(2, pipe);
    off.tick('a');
    off.done();
    expect(pipe.chunks).toEqual([]);
    const tty = { ...sink(), isTTY: true, columns: 80 };
    const on = createProgress(2, tty, () => 0);
    on.tick('a');
    on.done();
    expect(tty.chunks[0]).toMatch(/^\r\x1b\[2K\[#+-+\] 1\/2 0 s, 0 s left a$/);
    expect(tty.chunks.at(-1)).toBe('\r\x1b[2K');
  });
});

describe('transcript writer', () => {
  it('puts JSON failures on stdout as records, text failures on stderr', async () => {
    for (const format of ['json', 'text'] as const) {
      const out = sink();
      const err = sink();
      const writer = createTranscriptWriter({ format, labelled: true, scoring: false, stdout: out, stderr: err, progress: silent, command: 'las transcribe' });
      await writer.write(ok('a.wav', { result: fakeResult({ text: 'hi' }) }));
      await writer.write(failed('b.wav', new AudioError('EMPTY', 'zero bytes', 'b.wav')));
      expect(writer.finish()).toMatchObject({ succeeded: 1, failed: 1 });
      if (format === 'json') {
        expect(out.text().trim().split('\n').map((l) => JSON.parse(l).file)).toEqual(['a.wav', 'b.wav']);
        expect(err.text()).toBe('');
      } else {
        expect(out.text()).toBe('a.wav\thi\n');
        expect(err.text()).toBe('las transcribe: b.wav: zero bytes\n');
      }
    }
  });

  it('prints per-file and pooled scores at the end, and names inputs without a reference', async () => {
    const out = sink();
    const err = sink();
    const writer = createTranscriptWriter({ format: 'text', labelled: true, scoring: true, stdout: out, stderr: err, progress: silent, command: 'las transcribe' });
    await writer.write(ok('a.wav', { result: fakeResult({ text: 'one two' }), score: scoreUtterance('a.wav', 'one three', 'one two') }));
    await writer.write(ok('c.wav', { result: fakeResult({ text: 'x' }) }));
    writer.finish();
    expect(out.text()).toMatch(/^a\.wav\s+2\s+1\s+0\s+0\s+1\s+50\.00%/m);
    expect(out.text()).toMatch(/pooled over 1 utterances: WER 50\.00% \(S=1 D=0 I=0 C=1 N=2\)/);
    expect(err.text()).toBe('las transcribe: no reference transcript for c.wav (not scored)\n');
  });

  it('writes one file per input into --out-dir, never overwriting a namesake', async () => {
    const dir = join(scratch, 'out');
    const writer = createTranscriptWriter({ format: 'srt', outDir: dir, labelled: true, scoring: false, stdout: sink(), stderr: sink(), progress: silent, command: 'las transcribe' });
    for (const id of ['x/a.wav', 'y/a.wav', '<stdin>']) await writer.write(ok(id, { result: fakeResult({ text: 'hello world' }) }));
    expect(readdirSync(dir).sort()).toEqual(['a-2.srt', 'a.srt', 'stdin.srt']);
    expect(readFileSync(join(dir, 'a.srt'), 'utf8')).toMatch(/^1\n00:00:00,000 --> 00:00:02,000\nhello world\n$/);
  });
});
