import type { TranscriptionResult } from '../../src/offline/transcribe.ts';

/** A TranscriptionResult with chosen text, mode, duration and timings (no model needed). */
export function fakeResult(o: { text: string; mode?: 'global' | 'local'; seconds?: number; totalMs?: number; framesPerToken?: number; withAttention?: boolean }): TranscriptionResult {
  const seconds = o.seconds ?? 2;
  const totalMs = o.totalMs ?? 100;
  const chars = [...o.text];
  const step = seconds / Math.max(1, chars.length);
  const tokens = chars.map((c, i) => ({ token: c, id: 0, start: i * step, end: (i + 1) * step }));
  const words: { word: string; start: number; end: number }[] = [];
  let at = 0;
  for (const word of o.text.split(' ').filter(Boolean)) {
    words.push({ word, start: at * step, end: (at + word.length) * step });
    at += word.length + 1;
  }
  const frames = Math.round(seconds / 0.04);
  return {
    text: o.text,
    tokens,
    words,
    timing: { featuresMs: totalMs * 0.1, encoderMs: totalMs * 0.2, decoderMs: totalMs * 0.7, totalMs, audioSeconds: seconds, rtf: totalMs / 1000 / seconds },
    framesAttendedPerToken: o.framesPerToken ?? frames,
    ...(o.withAttention ? { attention: { rows: chars.length, cols: frames, data: new Float32Array(chars.length * frames).fill(1 / frames) } } : {}),
    mode: o.mode ?? 'global',
    beam: 1,
    encoderFrames: frames,
    logProb: -1,
    noSpeech: o.text === '',
    segments: [{ start: 0, end: seconds, text: o.text, noSpeech: o.text === '' }],
  };
}
