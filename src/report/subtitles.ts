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

/**
 * The longest a word may last, per character: a word's end comes from the attention peak of the
 * step after it, which can lie seconds away (global attention that runs on), so a span is cut
 * to what its letters can take. 0.4 s is four times a slow reading pace (about 10 characters a
 * second), so real words are never cut.
 */
export const MAX_SECONDS_PER_CHAR = 0.4;

/** The most time `word` can take: MAX_SECONDS_PER_CHAR per character, one character at least. */
export function maxWordSeconds(word: string): number {
  return MAX_SECONDS_PER_CHAR * Math.max(1, [...word].length);
}

export function validateCueOptions(options: Partial<CueOptions> = {}): CueOptions {
  const o = { ...DEFAULT_CUES, ...options };
  if (!(Number.isInteger(o.maxChars) && o.maxChars >= 1)) throw new ConfigError(`maxChars must be a positive integer, got ${o.maxChars}`, 'cues');
  if (!(Number.isFinite(o.minSeconds) && o.minSeconds >= 0)) throw new ConfigError(`minSeconds must be >= 0, got ${o.minSeconds}`, 'cues');
  for (const key of ['maxSeconds', 'maxGap'] as const)
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw new ConfigError(`${key} must be a positive number of seconds, got ${o[key]}`, 'cues');
  return o;
}

const ms = (s: number) => Math.round(s * 1000) / 1000;

/**
 * Word times as a player needs them: non-decreasing, non-overlapping, inside the audio, and no
 * longer than the word's letters can take (maxWordSeconds). Attention peaks are not monotonic in
 * general (global attention may look back, and even local attention may peak left of its
 * pointer), so a word can start before the previous one ended; it is moved to the previous end.
 * Rounded to milliseconds, the subtitle resolution. A word may come out with no length (it had
 * no time of its own); buildCues never gives one a cue of its own.
 */
export function monotoneSpans(words: readonly TimedSpan[], durationSeconds: number): TimedSpan[] {
  const limit = Number.isFinite(durationSeconds) && durationSeconds > 0 ? durationSeconds : Infinity;
  let previousEnd = 0;
  return words.map((w) => {
    const start = ms(Math.min(limit, Math.max(previousEnd, Number.isFinite(w.start) ? w.start : 0)));
    const end = ms(Math.min(limit, start + maxWordSeconds(w.word), Math.max(start, Number.isFinite(w.end) ? w.end : start)));
    previousEnd = end;
    return { word: w.word, start, end };
  });
}

/**
 * Groups words (already monotone, see monotoneSpans) into subtitle cues within `durationSeconds`
 * of audio. The cues are in order and never overlap, none has zero length, and none lasts
 * longer than its words can take (their spans, the pauses between them up to maxGap, or
 * minSeconds). A cue shorter than minSeconds is stretched into free time only; one that is left
 * with no length (no free time: the next cue starts at once, or the audio ends) takes free time
 * before it, or else joins the cue before it (the one after, for the first).
 */
export function buildCues(words: readonly TimedSpan[], options: Partial<CueOptions> = {}, durationSeconds = Infinity): Cue[] {
  const o = validateCueOptions(options);
  const grouped: Cue[] = [];
  let current: TimedSpan[] = [];
  const flush = () => {
    if (current.length > 0) grouped.push({ start: current[0].start, end: current[current.length - 1].end, text: current.map((w) => w.word).join(' ') });
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
  const limit = Number.isFinite(durationSeconds) && durationSeconds > 0 ? durationSeconds : Infinity;
  const stretched = grouped.map((c, i) => {
    const next = Math.min(grouped[i + 1]?.start ?? Infinity, limit);
    const end = c.end - c.start >= o.minSeconds ? c.end : Math.max(c.end, Math.min(c.start + o.minSeconds, next));
    return { ...c, start: ms(c.start), end: ms(end) };
  });
  const cues: Cue[] = [];
  for (const c of stretched) {
    const before = cues[cues.length - 1];
    if (c.end > c.start) cues.push(c);
    else if (before === undefined) cues.push(c); // the first: settled below
    else if (before.end < c.start) cues.push({ ...c, start: ms(Math.max(before.end, c.end - o.minSeconds)) });
    else cues[cues.length - 1] = { ...before, end: Math.max(before.end, c.end), text: `${before.text} ${c.text}` };
  }
  const first = cues[0];
  if (first !== undefined && first.end <= first.start) {
    if (cues.length > 1) cues.splice(0, 2, { start: first.start, end: cues[1].end, text: `${first.text} ${cues[1].text}` });
    else cues[0] = { ...first, start: ms(Math.max(0, first.end - o.minSeconds)) };
  }
  return cues;
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
