import { ConfigError } from '../errors.ts';

/** A word with its time span in seconds. */
export interface TimedSpan {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

export interface Cue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface CueOptions {
  /** A cue is closed before it would pass this many characters. Default 42 (one subtitle line). */
  readonly maxChars: number;
  /** ... or this many seconds. Default 5. */
  readonly maxSeconds: number;
  /** A pause longer than this starts a new cue. Default 0.8 s. */
  readonly maxGap: number;
  /**
   * A shorter cue is stretched to this length (never into the next cue nor past the audio), so
   * that a word whose attention peaks coincide still shows on screen. Default 0.3 s.
   */
  readonly minSeconds: number;
}

export const DEFAULT_CUES: CueOptions = Object.freeze({ maxChars: 42, maxSeconds: 5, maxGap: 0.8, minSeconds: 0.3 });

export function validateCueOptions(options: Partial<CueOptions> = {}): CueOptions {
  const o = { ...DEFAULT_CUES, ...options };
  if (!(Number.isInteger(o.maxChars) && o.maxChars >= 1)) throw new ConfigError(`maxChars must be a positive integer, got ${o.maxChars}`, 'cues');
  if (!(Number.isFinite(o.minSeconds) && o.minSeconds >= 0)) throw new ConfigError(`minSeconds must be >= 0, got ${o.minSeconds}`, 'cues');
  for (const key of ['maxSeconds', 'maxGap'] as const)
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw new ConfigError(`${key} must be a positive number of seconds, got ${o[key]}`, 'cues');
  return o;
}

/**
 * Word times as a player needs them: non-decreasing, non-overlapping, and inside the audio.
 * Attention peaks are not monotonic in general (global attention may look back, and even
 * local attention may peak left of its pointer), so a word can start before the previous one
 * ended; it is moved to the previous end. Rounded to milliseconds, the subtitle resolution.
 */
export function monotoneSpans(words: readonly TimedSpan[], durationSeconds: number): TimedSpan[] {
  const limit = Number.isFinite(durationSeconds) && durationSeconds > 0 ? durationSeconds : Infinity;
  const ms = (s: number) => Math.round(s * 1000) / 1000;
  let previousEnd = 0;
  return words.map((w) => {
    const start = Math.min(limit, Math.max(previousEnd, Number.isFinite(w.start) ? w.start : 0));
    const end = Math.min(limit, Math.max(start, Number.isFinite(w.end) ? w.end : start));
    previousEnd = end;
    return { word: w.word, start: ms(start), end: ms(end) };
  });
}

/** Groups words (already monotone, see monotoneSpans) into subtitle cues within `durationSeconds` of audio. */
export function buildCues(words: readonly TimedSpan[], options: Partial<CueOptions> = {}, durationSeconds = Infinity): Cue[] {
  const o = validateCueOptions(options);
  const cues: Cue[] = [];
  let current: TimedSpan[] = [];
  const flush = () => {
    if (current.length === 0) return;
    cues.push({ start: current[0].start, end: current[current.length - 1].end, text: current.map((w) => w.word).join(' ') });
    current = [];
  };
  for (const w of words) {
    if (current.length > 0) {
      const chars = current.reduce((n, c) => n + c.word.length + 1, 0) + w.word.length;
      const tooLong = chars > o.maxChars || w.end - current[0].start > o.maxSeconds;
      const pause = w.start - current[current.length - 1].end > o.maxGap;
      if (tooLong || pause) flush();
    }
    current.push(w);
  }
  flush();
  const ms = (s: number) => Math.round(s * 1000) / 1000;
  return cues.map((c, i) => {
    const limit = Math.min(cues[i + 1]?.start ?? Infinity, durationSeconds);
    const end = c.end - c.start >= o.minSeconds ? c.end : Math.max(c.end, Math.min(c.start + o.minSeconds, limit));
    return { ...c, end: ms(end) };
  });
}

/** `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT); hours grow past 99 if they must. */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const totalMs = Math.max(0, Math.round((Number.isFinite(seconds) ? seconds : 0) * 1000));
  const h = Math.floor(totalMs / 3_600_000);
  const m = Math.floor((totalMs % 3_600_000) / 60_000);
  const s = Math.floor((totalMs % 60_000) / 1000);
  const frac = totalMs % 1000;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${separator}${pad(frac, 3)}`;
}

/** Cue text may not contain a blank line (it would end the cue) nor, in VTT, the arrow. */
function cueText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/-->/g, '->');
}

/** SubRip: numbered cues separated by blank lines. No cues gives an empty document. */
export function toSrt(cues: readonly Cue[]): string {
  return cues.map((c, i) => `${i + 1}\n${formatTimestamp(c.start, ',')} --> ${formatTimestamp(c.end, ',')}\n${cueText(c.text)}\n`).join('\n');
}

/** WebVTT: the signature line, an optional NOTE block, then the cues. */
export function toVtt(cues: readonly Cue[], note?: string): string {
  const head = note === undefined ? 'WEBVTT\n' : `WEBVTT\n\nNOTE ${cueText(note)}\n`;
  return [head, ...cues.map((c) => `${formatTimestamp(c.start, '.')} --> ${formatTimestamp(c.end, '.')}\n${cueText(c.text)}\n`)].join('\n');
}
