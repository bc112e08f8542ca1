import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { buildCues, DEFAULT_CUES, formatTimestamp, MAX_SECONDS_PER_CHAR, maxWordSeconds, monotoneSpans, toSrt, toVtt, validateCueOptions } from '../../src/report/subtitles.ts';
import { rng } from '../model/fixture.ts';

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
    const out = monotoneSpans([w('aa', 1, 1.5), w('b', 0.5, 0.7), w('c', 2, 1.8)], 10);
    expect(out).toEqual([w('aa', 1, 1.5), w('b', 1.5, 1.5), w('c', 2, 2)]);
  });

  it('cuts a span to what its letters can take', () => {
    // Global attention that runs on put the end of "of" 33.8 s after its start (issue 9).
    const out = monotoneSpans([w('of', 1, 34.8), w('course', 35, 35.5)], 40);
    expect(out).toEqual([w('of', 1, 1 + maxWordSeconds('of')), w('course', 35, 35.5)]);
    expect(maxWordSeconds('of')).toBeCloseTo(2 * MAX_SECONDS_PER_CHAR, 12);
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

  it('never gives a cue zero length: words piled at the end of the audio join the cue before', () => {
    // Global attention past the end: the last words all sit at the audio's end (issue 9).
    const spans = monotoneSpans([w('the', 36, 36.3), w('end', 36.3, 37.96), w('of', 37.96, 37.96), w('it', 38, 38)], 37.96);
    const cues = buildCues(spans, { maxChars: 3 }, 37.96);
    expect(cues.every((c) => c.end > c.start)).toBe(true);
    expect(cues.map((c) => c.text).join(' ')).toBe('the end of it');
    expect(cues.at(-1)!.end).toBe(37.96);
  });

  it('gives a lone word with no length of its own time before it, inside the audio', () => {
    const cues = buildCues([w('hi', 2, 2)], {}, 2);
    expect(cues).toEqual([{ start: 2 - DEFAULT_CUES.minSeconds, end: 2, text: 'hi' }]);
  });

  it('on random word times: cues in order, none of zero length, none longer than its words can take, every word kept', () => {
    const words = ['a', 'of', 'the', 'quick', 'mountain', 'z'];
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const duration = 0.5 + r() * 40;
      const raw = Array.from({ length: Math.floor(r() * 30) }, () => {
        const start = r() < 0.1 ? Number.NaN : r() * duration * 1.2 - 1;
        return w(words[Math.floor(r() * words.length)], start, r() < 0.3 ? start : start + (r() < 0.2 ? 40 : r()) * (r() < 0.1 ? -1 : 1));
      });
      const spans = monotoneSpans(raw, duration);
      const cues = buildCues(spans, {}, duration);
      expect(cues.map((c) => c.text).join(' ')).toBe(raw.map((x) => x.word).join(' '));
      cues.forEach((c, i) => {
        expect(c.end).toBeGreaterThan(c.start);
        expect(c.start).toBeGreaterThanOrEqual(i === 0 ? 0 : cues[i - 1].end);
        expect(c.end).toBeLessThanOrEqual(duration + 0.0005); // rounded to the millisecond
        // What its words can take: each word's cap plus the pauses allowed between them, or the minimum cue.
        const n = c.text.split(' ');
        const can = n.reduce((t, x) => t + maxWordSeconds(x), 0) + (n.length - 1) * DEFAULT_CUES.maxGap;
        expect(c.end - c.start).toBeLessThanOrEqual(Math.max(can, DEFAULT_CUES.minSeconds) + 1e-9);
      });
    }
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
