import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { buildCues, formatTimestamp, monotoneSpans, toSrt, toVtt, validateCueOptions } from '../../src/report/subtitles.ts';

const w = (word: string, start: number, end: number) => ({ word, start, end });

describe('timestamps', () => {
  it('formats SRT with a comma and WebVTT with a dot, zero-padded', () => {
    expect(formatTimestamp(0, ',')).toBe('00:00:00,000');
    expect(formatTimestamp(3661.5, ',')).toBe('01:01:01,500');
    expect(formatTimestamp(3661.5, '.')).toBe('01:01:01.500');
    expect(formatTimestamp(0.04, '.')).toBe('00:00:00.040');
  });

  it('rounds to the millisecond, carrying into seconds and minutes', () => {
    expect(formatTimestamp(59.9996, ',')).toBe('00:01:00,000');
    expect(formatTimestamp(1.0004, ',')).toBe('00:00:01,000');
    expect(formatTimestamp(360_000, ',')).toBe('100:00:00,000');
  });

  it('clamps negative and non-finite times to zero', () => {
    expect(formatTimestamp(-3, ',')).toBe('00:00:00,000');
    expect(formatTimestamp(NaN, '.')).toBe('00:00:00.000');
  });
});

describe('monotone word spans', () => {
  it('moves a word that starts before the previous end, and never lets end precede start', () => {
    const out = monotoneSpans([w('a', 1, 1.5), w('b', 0.5, 0.7), w('c', 2, 1.8)], 10);
    expect(out).toEqual([w('a', 1, 1.5), w('b', 1.5, 1.5), w('c', 2, 2)]);
  });

  it('keeps spans inside the audio and rounds to milliseconds', () => {
    const out = monotoneSpans([w('a', 0.12345, 0.2), w('b', 2.9, 3.4)], 3);
    expect(out).toEqual([w('a', 0.123, 0.2), w('b', 2.9, 3)]);
  });
});

describe('cues', () => {
  it('splits at the character limit, a long pause, and the duration limit', () => {
    const words = [w('aaaa', 0, 0.5), w('bbbb', 0.5, 1), w('cccc', 1, 1.5), w('dddd', 3, 3.5), w('eeee', 3.5, 9)];
    const cues = buildCues(words, { maxChars: 9, maxGap: 1, maxSeconds: 4 });
    expect(cues.map((c) => c.text)).toEqual(['aaaa bbbb', 'cccc', 'dddd', 'eeee']);
    expect(cues[0]).toEqual({ start: 0, end: 1, text: 'aaaa bbbb' });
  });

  it('stretches a too-short cue, but not into the next cue or past the audio', () => {
    const cues = buildCues([w('a', 1, 1), w('b', 1.1, 1.1), w('c', 5, 5)], { maxChars: 1, minSeconds: 0.3 }, 5.2);
    expect(cues.map((c) => [c.start, c.end])).toEqual([[1, 1.1], [1.1, 1.4], [5, 5.2]]);
  });

  it('rejects bad options', () => {
    expect(() => validateCueOptions({ maxChars: 0 })).toThrow(ConfigError);
    expect(() => validateCueOptions({ maxGap: -1 })).toThrow(ConfigError);
    expect(() => validateCueOptions({ minSeconds: NaN })).toThrow(ConfigError);
  });
});

describe('SRT and WebVTT documents', () => {
  const cues = [
    { start: 0.5, end: 1.25, text: 'hello there' },
    { start: 61, end: 62.001, text: 'a --> b' },
  ];

  it('writes numbered SRT blocks separated by a blank line', () => {
    expect(toSrt(cues)).toBe('1\n00:00:00,500 --> 00:00:01,250\nhello there\n\n2\n00:01:01,000 --> 00:01:02,001\na -> b\n');
    expect(toSrt([])).toBe('');
  });

  it('writes the WEBVTT signature, an optional note, then the cues', () => {
    expect(toVtt(cues)).toBe('WEBVTT\n\n00:00:00.500 --> 00:00:01.250\nhello there\n\n00:01:01.000 --> 00:01:02.001\na -> b\n');
    expect(toVtt([], 'clip\nname.wav')).toBe('WEBVTT\n\nNOTE clip name.wav\n');
  });
});
