import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSubtitles } from '../../src/report/subtitleCheck.ts';
import { buildCues, monotoneSpans, toSrt, toVtt } from '../../src/report/subtitles.ts';

const SRT = '1\n00:00:00,500 --> 00:00:01,250\nhello there\n\n2\n00:00:01,400 --> 00:00:02,000\nworld\n';
const VTT = 'WEBVTT\n\nNOTE clip.wav\n\n00:00:00.500 --> 00:00:01.250\nhello there\n\ncue-2\n00:01.400 --> 00:02.000 align:start\nworld\n';

const messages = (format: 'srt' | 'vtt', doc: string, duration?: number) => checkSubtitles(format, doc, duration).problems.map((p) => p.message);

describe('checkSubtitles', () => {
  it('accepts well-formed documents and counts their cues', () => {
    expect(checkSubtitles('srt', SRT, 2)).toEqual({ cues: 2, problems: [] });
    expect(checkSubtitles('vtt', VTT, 2)).toEqual({ cues: 2, problems: [] });
    expect(checkSubtitles('srt', SRT.replace(/\n/g, '\r\n'), 2).problems).toEqual([]);
    expect(checkSubtitles('srt', '')).toEqual({ cues: 0, problems: [] });
    expect(checkSubtitles('vtt', 'WEBVTT\n')).toEqual({ cues: 0, problems: [] });
  });

  it('finds numbering and timing-syntax errors', () => {
    expect(messages('srt', SRT.replace('\n2\n', '\n3\n'))).toEqual(['cue 2 is numbered "3", expected 2']);
    expect(messages('srt', SRT.replace('00:00:01,250', '00:00:01.250'))[0]).toMatch(/cue 1 has no timing line of the form HH:MM:SS,mmm --> HH:MM:SS,mmm/);
    expect(messages('srt', SRT.replace('00:00:01,250', '00:00:01,25'))[0]).toMatch(/no timing line/);
    expect(messages('srt', SRT.replace('00:00:01,250', '00:00:61,250'))[0]).toMatch(/no timing line/);
    expect(messages('vtt', VTT.replace('00:02.000', '00:02,000'))[0]).toMatch(/cue 2 has no timing line of the form \[HH:\]MM:SS.mmm/);
  });

  it('finds zero-length, reversed, overlapping and out-of-order cues', () => {
    expect(messages('srt', SRT.replace('00:00:01,250', '00:00:00,500'))).toEqual(['cue 1 has no length (0.500 --> 0.500)']);
    expect(messages('srt', SRT.replace('00:00:01,250', '00:00:00,400'))).toEqual(['cue 1 has no length (0.500 --> 0.400)']);
    expect(messages('srt', SRT.replace('00:00:01,400', '00:00:01,000'))).toEqual(['cue 2 starts at 1.000 s, before the previous cue ends (1.250 s)']);
    const swapped = '1\n00:00:01,400 --> 00:00:02,000\nworld\n\n2\n00:00:00,500 --> 00:00:01,250\nhello\n';
    expect(messages('srt', swapped)).toEqual(['cue 2 starts at 0.500 s, before the previous cue ends (2.000 s)']);
  });

  it('finds cues past the audio, rounding the duration up to the millisecond', () => {
    expect(messages('srt', SRT, 1.9)).toEqual(['cue 2 ends at 2.000 s, after the audio (1.900 s)']);
    expect(messages('srt', SRT, 1.9995)).toEqual([]);
  });

  it('finds cues without text', () => {
    expect(messages('srt', SRT.replace('world\n', ''))).toEqual(['cue 2 has no text']);
    expect(messages('vtt', VTT.replace('\nworld', '\n  '))).toEqual(['cue 2 has no text']);
    expect(messages('vtt', VTT.replace('world', 'a --> b'))).toEqual([`cue 2's text holds "-->"`]);
  });

  it('needs the WEBVTT signature, then a blank line', () => {
    expect(messages('vtt', VTT.replace('WEBVTT', 'WEBVT'))).toContain('a WebVTT document starts with the line WEBVTT');
    expect(messages('vtt', `\n${VTT}`)).toContain('a WebVTT document starts with the line WEBVTT');
    expect(messages('vtt', VTT.replace('WEBVTT\n\nNOTE clip.wav\n\n', 'WEBVTT\n'))).toContain('a blank line must follow the WEBVTT header');
    expect(messages('vtt', VTT.replace('WEBVTT', 'WEBVTT - a title'))).toEqual([]);
  });

  it('accepts what buildCues, toSrt and toVtt make of any word times', () => {
    const word = fc.record({ word: fc.stringMatching(/^[a-z']{1,12}$/), start: fc.double({ min: -1, max: 40, noNaN: true }), end: fc.double({ min: -1, max: 40, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), fc.double({ min: 0.05, max: 40, noNaN: true }), (words, duration) => {
        const cues = buildCues(monotoneSpans(words, duration), {}, duration);
        for (const [format, doc] of [['srt', toSrt(cues)], ['vtt', toVtt(cues, 'a note')]] as const) {
          const check = checkSubtitles(format, doc, duration);
          expect(check.problems).toEqual([]);
          expect(check.cues).toBe(cues.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
