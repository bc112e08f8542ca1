import type { LasError } from '../errors.ts';
import type { UtteranceScore } from '../metrics/index.ts';
import type { TranscriptionResult } from '../offline/transcribe.ts';
import { buildCues, monotoneSpans, toSrt, toVtt, type TimedSpan } from './subtitles.ts';

/** The output formats of `las transcribe`; the list exists once. */
export const OUTPUT_FORMATS = ['text', 'json', 'srt', 'vtt'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(name: unknown): name is OutputFormat {
  return typeof name === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(name);
}

/** File extension for one output file per input (`--out-dir`). */
export const FORMAT_EXTENSION: Readonly<Record<OutputFormat, string>> = { text: '.txt', json: '.jsonl', srt: '.srt', vtt: '.vtt' };

/** One JSONL line of `las transcribe --format json`. Times in seconds, rounded to 1 ms; timings in whole ms. */
export interface TranscriptRecord {
  readonly file: string;
  readonly text: string;
  readonly mode: string;
  readonly beam: number;
  readonly duration: number;
  /** Real-time factor of the whole call: processing seconds per audio second. */
  readonly rtf: number;
  readonly timing: { readonly featuresMs: number; readonly encoderMs: number; readonly decoderMs: number; readonly totalMs: number };
  readonly framesAttendedPerToken: number;
  readonly encoderFrames: number;
  /** Non-decreasing, non-overlapping word spans (see monotoneSpans). */
  readonly words: readonly TimedSpan[];
  /** The VAD heard no speech (silence, hum, noise): the text is empty, and nothing was decoded. */
  readonly noSpeech: boolean;
  /** Where the recording was cut at pauses: [start, end) seconds, each piece's text. */
  readonly segments: readonly { readonly start: number; readonly end: number; readonly text: string; readonly noSpeech: boolean }[];
  readonly score?: { readonly ref: string; readonly wer: number; readonly cer: number; readonly S: number; readonly D: number; readonly I: number; readonly N: number };
}

export interface FailureRecord {
  readonly file: string;
  readonly error: { readonly code: string; readonly message: string };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function transcriptRecord(file: string, result: TranscriptionResult, score?: UtteranceScore): TranscriptRecord {
  const t = result.timing;
  return {
    file,
    text: result.text,
    mode: result.mode,
    beam: result.beam,
    duration: round(t.audioSeconds, 3),
    rtf: round(t.rtf, 5),
    // Wall-clock timings vary by more than a millisecond from run to run: finer digits are noise.
    timing: { featuresMs: round(t.featuresMs, 0), encoderMs: round(t.encoderMs, 0), decoderMs: round(t.decoderMs, 0), totalMs: round(t.totalMs, 0) },
    framesAttendedPerToken: round(result.framesAttendedPerToken, 2),
    encoderFrames: result.encoderFrames,
    words: monotoneSpans(result.words, t.audioSeconds),
    noSpeech: result.noSpeech,
    segments: result.segments.map((g) => ({ start: round(g.start, 3), end: round(g.end, 3), text: g.text, noSpeech: g.noSpeech })),
    ...(score === undefined ? {} : { score: { ref: score.ref, wer: round(score.wer, 5), cer: round(score.cer, 5), S: score.S, D: score.D, I: score.I, N: score.N } }),
  };
}

export function failureRecord(file: string, error: LasError): FailureRecord {
  return { file, error: { code: error.code, message: error.message } };
}

/**
 * One input's transcript in `format`. `labelled` (text only) prefixes the file name and a tab,
 * so the lines of a batch can be told apart; a single input prints the bare text.
 */
export function formatTranscript(format: OutputFormat, file: string, result: TranscriptionResult, options: { readonly score?: UtteranceScore; readonly labelled?: boolean } = {}): string {
  switch (format) {
    case 'text':
      return options.labelled === true ? `${file}\t${result.text}\n` : `${result.text}\n`;
    case 'json':
      return `${JSON.stringify(transcriptRecord(file, result, options.score))}\n`;
    case 'srt':
      return toSrt(buildCues(monotoneSpans(result.words, result.timing.audioSeconds), {}, result.timing.audioSeconds));
    case 'vtt':
      return toVtt(buildCues(monotoneSpans(result.words, result.timing.audioSeconds), {}, result.timing.audioSeconds), file.replace(/\s+/g, ' '));
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}
