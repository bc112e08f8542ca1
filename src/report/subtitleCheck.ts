/**
 * A checker for SubRip (SRT) and WebVTT documents, for what `las transcribe --format srt|vtt`
 * promises (README "Subtitles"): numbered cues (SRT) or the WEBVTT signature (VTT), well-formed
 * `HH:MM:SS,mmm --> HH:MM:SS,mmm` timings, every cue of positive length, cues in order and
 * not overlapping, inside the audio, and no cue without text. It lives in src/report beside the
 * writers so that the tests, the benches and a user checking a file all apply the same rules.
 *
 * The syntax is the strict subset that players agree on: SRT as SubRip writes it (hours of at
 * least two digits, a comma before the milliseconds); WebVTT per the W3C spec's cue timings
 * (hours optional, a full stop before the milliseconds, cue settings allowed after the end
 * time), NOTE and STYLE blocks skipped, cue identifiers allowed.
 */

export type SubtitleFormat = 'srt' | 'vtt';

export interface SubtitleProblem {
  /** 1-based line of the document where the problem is. */
  readonly line: number;
  readonly message: string;
}

export interface SubtitleCheck {
  readonly cues: number;
  /** Empty when the document is valid. */
  readonly problems: readonly SubtitleProblem[];
}

export interface SubtitleCue {
  readonly start: number; // seconds
  readonly end: number;
  readonly text: string;
}

const SRT_TIME = String.raw`(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})`;
const VTT_TIME = String.raw`(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})`;
const SRT_TIMING = new RegExp(`^${SRT_TIME} --> ${SRT_TIME}$`);
const VTT_TIMING = new RegExp(`^${VTT_TIME}[ \\t]+-->[ \\t]+${VTT_TIME}(?:[ \\t]+\\S.*)?$`);

/** Milliseconds from the four captured groups (hours, minutes, seconds, milliseconds). */
const millis = (g: readonly (string | undefined)[]) => ((Number(g[0] ?? '0') * 60 + Number(g[1])) * 60 + Number(g[2])) * 1000 + Number(g[3]);

interface Block {
  readonly line: number; // 1-based line of the block's first line
  readonly lines: readonly string[];
}

/** Blocks of non-blank lines; a line of only spaces counts as blank (players end a cue there). */
function blocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let current: string[] = [];
  let first = 0;
  lines.forEach((l, i) => {
    if (l.trim() === '') {
      if (current.length > 0) out.push({ line: first + 1, lines: current });
      current = [];
    } else {
      if (current.length === 0) first = i;
      current.push(l);
    }
  });
  if (current.length > 0) out.push({ line: first + 1, lines: current });
  return out;
}

/**
 * Checks `document` as `format`. `durationSeconds` (when finite) bounds the cues: none may end
 * after the audio, rounded up to the millisecond the formats print. An empty SRT document (no
 * speech) is valid; a VTT document needs its signature line even then.
 */
export function checkSubtitles(format: SubtitleFormat, document: string, durationSeconds = Infinity): SubtitleCheck {
  const problems: SubtitleProblem[] = [];
  const cues = parseSubtitles(format, document, problems);
  const limitMs = Number.isFinite(durationSeconds) ? Math.ceil(durationSeconds * 1000 - 1e-6) : Infinity;
  let previousEnd = 0;
  for (const c of cues) {
    const [start, end] = [Math.round(c.start * 1000), Math.round(c.end * 1000)];
    if (!(start < end)) problems.push({ line: c.line, message: `cue ${c.index} has no length (${c.start.toFixed(3)} --> ${c.end.toFixed(3)})` });
    if (start < previousEnd) problems.push({ line: c.line, message: `cue ${c.index} starts at ${c.start.toFixed(3)} s, before the previous cue ends (${(previousEnd / 1000).toFixed(3)} s)` });
    if (end > limitMs) problems.push({ line: c.line, message: `cue ${c.index} ends at ${c.end.toFixed(3)} s, after the audio (${durationSeconds.toFixed(3)} s)` });
    if (c.text.trim() === '') problems.push({ line: c.line, message: `cue ${c.index} has no text` });
    previousEnd = Math.max(previousEnd, end);
  }
  return { cues: cues.length, problems };
}

interface ParsedCue extends SubtitleCue {
  readonly index: number; // 1-based position in the document
  readonly line: number;
}

/** The cues of a document, with syntax problems added to `problems`. */
function parseSubtitles(format: SubtitleFormat, document: string, problems: SubtitleProblem[]): ParsedCue[] {
  const all = blocks(document);
  let body = all;
  if (format === 'vtt') {
    const head = all[0];
    const signature = document.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
    if (head === undefined || head.line !== 1 || !/^WEBVTT(?:[ \t].*)?$/.test(signature)) problems.push({ line: 1, message: 'a WebVTT document starts with the line WEBVTT' });
    else if (head.lines.length > 1 && head.lines.slice(1).some((l) => l.includes('-->'))) problems.push({ line: 2, message: 'a blank line must follow the WEBVTT header' });
    body = all.slice(head !== undefined && head.line === 1 ? 1 : 0).filter((b) => !/^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(b.lines[0]));
  }
  const timing = format === 'srt' ? SRT_TIMING : VTT_TIMING;
  const cues: ParsedCue[] = [];
  body.forEach((b, i) => {
    const index = i + 1;
    let at = 0;
    if (format === 'srt') {
      if (b.lines[0] !== String(index)) problems.push({ line: b.line, message: `cue ${index} is numbered ${JSON.stringify(b.lines[0])}, expected ${index}` });
      at = 1;
    } else if (!b.lines[0].includes('-->')) at = 1; // a cue identifier
    const line = b.line + at;
    const m = timing.exec(b.lines[at] ?? '');
    if (m === null) {
      const shape = format === 'srt' ? 'HH:MM:SS,mmm --> HH:MM:SS,mmm' : '[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm';
      problems.push({ line, message: `cue ${index} has no timing line of the form ${shape}: ${JSON.stringify(b.lines[at] ?? '')}` });
      return;
    }
    const text = b.lines.slice(at + 1); // none: checkSubtitles reports the cue as having no text
    if (format === 'vtt' && text.some((l) => l.includes('-->'))) problems.push({ line, message: `cue ${index}'s text holds "-->"` });
    cues.push({ index, line, start: millis(m.slice(1, 5)) / 1000, end: millis(m.slice(5, 9)) / 1000, text: text.join('\n') });
  });
  return cues;
}
