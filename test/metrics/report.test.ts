import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { formatReport, poolScores, scoreUtterance } from '../../src/metrics/index.ts';

describe('scoreUtterance / poolScores', () => {
  const rows = [
    scoreUtterance('short', 'hi', 'bye'), // 1 error / 1 word: WER 1
    scoreUtterance('long', 'one two three four five six seven eight nine', 'one two three four five six seven eight nine'), // 0 / 9
  ];

  it('builds a row with word and character counts', () => {
    expect(rows[0]).toMatchObject({ id: 'short', ref: 'hi', hyp: 'bye', S: 1, D: 0, I: 0, C: 0, N: 1, wer: 1 });
    // "hi" -> "bye": h/b substituted, i/y substituted, e inserted
    expect(rows[0].chars).toEqual({ S: 2, D: 0, I: 1, C: 0, N: 2 });
    expect(rows[0].cer).toBe(1.5);
  });

  it('pools counts instead of averaging per-utterance rates', () => {
    const p = poolScores(rows);
    expect(p).toMatchObject({ utterances: 2, S: 1, D: 0, I: 0, C: 9, N: 10, sentenceErrors: 1 });
    expect(p.wer).toBeCloseTo(1 / 10, 12);
    expect(p.meanWer).toBeCloseTo((1 + 0) / 2, 12);
    expect(p.chars.N).toBe(2 + 'one two three four five six seven eight nine'.length);
    expect(p.cer).toBeCloseTo(3 / p.chars.N, 12);
  });

  it('pools an empty reference without crashing', () => {
    const p = poolScores([scoreUtterance('a', '', 'noise'), scoreUtterance('b', 'yes', 'yes')]);
    expect(p).toMatchObject({ N: 1, I: 1, C: 1, wer: 1 });
    expect(poolScores([])).toMatchObject({ utterances: 0, N: 0, wer: 0, cer: 0, meanWer: 0 });
  });
});

describe('formatReport', () => {
  const rows = [scoreUtterance('utt\t1', 'The cat sat', 'the bat sat down'), scoreUtterance('utt2', 'Hello', '')];

  it('tsv: header, one line per utterance with fractions, pooled summary as a # line', () => {
    const lines = formatReport(rows, { format: 'tsv' }).trimEnd().split('\n');
    expect(lines[0]).toBe('id\tN\tS\tD\tI\tC\twer\tcer\tref\thyp');
    expect(lines[1]).toBe(['utt 1', 3, 1, 0, 1, 2, (2 / 3).toFixed(6), (6 / 11).toFixed(6), 'the cat sat', 'the bat sat down'].join('\t'));
    expect(lines[2]).toBe(['utt2', 1, 0, 1, 0, 0, '1.000000', '1.000000', 'hello', ''].join('\t'));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^# pooled over 2 utterances: WER 75\.00% \(S=1 D=1 I=1 C=2 N=4\)/);
  });

  it('table: aligned numeric columns, percentages and the summary', () => {
    const text = formatReport(rows);
    const lines = text.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['ID', 'N', 'S', 'D', 'I', 'C', 'WER', 'CER', 'REF', 'HYP']);
    expect(lines[1]).toContain('66.67%');
    expect(lines[2]).toContain('100.00%');
    // The WER column ends at the same offset on every line.
    const end = (l: string, s: string) => l.indexOf(s) + s.length;
    expect(end(lines[1], '66.67%')).toBe(end(lines[0], 'WER'));
    expect(end(lines[2], '100.00%')).toBe(end(lines[0], 'WER'));
    expect(lines.at(-1)).toMatch(/^pooled over 2 utterances: WER 75\.00%/);
  });

  it('rejects an unknown format', () => {
    expect(() => formatReport(rows, { format: 'csv' as never })).toThrow(ConfigError);
  });
});
