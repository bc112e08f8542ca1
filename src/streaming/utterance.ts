import type { AttentionWindow } from '../attention/index.ts';
import { align, type DecodingOptions, type StepRecord, type TimedToken } from '../decoding/index.ts';
import { LasError } from '../errors.ts';
import type { FrontEndConfig } from '../features/config.ts';
import type { BundleFacts, Vocabulary } from '../model/index.ts';
import type { ErrorInfo, StreamToken, WindowPosition } from './events.ts';
import type { StreamingOptions } from './options.ts';
import type { PartialDecoder } from './partialDecoder.ts';
import { stripUndefined } from '../util/stripUndefined.ts';

/**
 * One utterance of a live stream, as an explicit value: the recognizer holds the current one
 * and replaces it with nextUtterance() at each endpoint. Only `checkedFeatures` and
 * `emittedAt` grow while it lasts (the partial decoder keeps its own state).
 */
export interface Utterance {
  /** 0, 1, 2... per stream. */
  readonly index: number;
  /** Feature frame of the stream where it starts (a multiple of the subsampling factor). */
  readonly startFeature: number;
  /** Seconds of the stream where it starts. */
  readonly offsetSeconds: number;
  /** Local mode with partials: the greedy decoder that follows the frames as they come. */
  readonly decoder: PartialDecoder | undefined;
  /** Audio time at which each decoder step of the utterance was made. */
  readonly emittedAt: number[];
  /** The endpoint rules were checked up to this feature frame of the utterance. */
  checkedFeatures: number;
  /** Its first speech frame has been heard (and the silence before it cut to leadingSilence). */
  onsetHeard: boolean;
}

export function firstUtterance(decoder: PartialDecoder | undefined): Utterance {
  return { index: 0, startFeature: 0, offsetSeconds: 0, decoder, emittedAt: [], checkedFeatures: 0, onsetHeard: false };
}

/** The utterance after `u`, starting `next` feature frames after u's start. */
export function nextUtterance(u: Utterance, next: number, facts: Pick<BundleFacts, 'hopSeconds'>, decoder: PartialDecoder | undefined): Utterance {
  const startFeature = u.startFeature + next;
  return { index: u.index + 1, startFeature, offsetSeconds: startFeature * facts.hopSeconds, decoder, emittedAt: [], checkedFeatures: 0, onsetHeard: false };
}

/** The same utterance (same index) started `cut` feature frames later: the silence before its speech shortened. */
export function trimmedUtterance(u: Utterance, cut: number, facts: Pick<BundleFacts, 'hopSeconds'>, decoder: PartialDecoder | undefined): Utterance {
  return { ...nextUtterance(u, cut, facts, decoder), index: u.index, onsetHeard: true };
}

/** A window and pointer in the utterance's encoder frames, as stream seconds. */
export function windowPosition(u: Utterance, frameSeconds: number, w: AttentionWindow, pointer: number): WindowPosition {
  return { start: u.offsetSeconds + w.start * frameSeconds, end: u.offsetSeconds + w.end * frameSeconds, pointer: u.offsetSeconds + pointer * frameSeconds };
}

/** The partial decoder's window, as stream seconds. */
export function decoderWindow(u: Utterance, frameSeconds: number, d: PartialDecoder): WindowPosition {
  return windowPosition(u, frameSeconds, d.window, d.attention.pointer);
}

/** Tokens timed within the utterance, as stream tokens; `times[i]` is when token i was shown. */
export function streamTokens(u: Utterance, tokens: readonly TimedToken[], times: readonly number[]): StreamToken[] {
  return tokens.map((t, i) => ({ token: t.token, start: u.offsetSeconds + t.start, end: u.offsetSeconds + t.end, emittedAt: times[i] }));
}

/** The text the partial decoder's steps spell over `frames` encoder frames, with when each character came. */
export function partialText(u: Utterance, steps: readonly StepRecord[], vocab: Vocabulary, frameSeconds: number, frames: number): { text: string; tokens: StreamToken[] } {
  const aligned = align(steps, vocab, frameSeconds, frames);
  const times = u.emittedAt.filter((_, i) => vocab.isText(steps[i].token));
  return { text: aligned.text, tokens: streamTokens(u, aligned.tokens, times) };
}

/** A character the partials already showed keeps the time it was shown at; the rest are shown `now`. */
export function shownTimes(shown: readonly StreamToken[], decoded: readonly Pick<TimedToken, 'token'>[], now: number): number[] {
  let agree = 0;
  while (agree < Math.min(shown.length, decoded.length) && shown[agree].token === decoded[agree].token) agree++;
  return decoded.map((_, i) => (i < agree ? shown[i].emittedAt : now));
}

/** Where an utterance of `usedFeatures` feature frames from `start` seconds ends: its last analysis window's end. */
export function utteranceEndSeconds(frontEnd: FrontEndConfig, start: number, usedFeatures: number): number {
  return usedFeatures === 0 ? start : start + ((usedFeatures - 1) * frontEnd.hopLength + frontEnd.frameLength) / frontEnd.sampleRate;
}

/** The options of an utterance's final decode: offline decoding's, from the stream's. */
export function finalDecodingOptions(o: StreamingOptions, window: { readonly left: number; readonly right: number }): Partial<DecodingOptions> {
  return {
    mode: o.mode,
    beam: o.beam,
    ...(o.mode === 'local' ? window : {}),
    ctcWeight: o.ctcWeight,
    ...stripUndefined({ lmWeight: o.lmWeight, wordLmWeight: o.wordLmWeight, oovPenalty: o.oovPenalty, wordPenalty: o.wordPenalty }),
    lengthPenalty: o.lengthPenalty,
    maxTokensPerFrame: o.maxTokensPerFrame,
    maxLengthSlack: o.maxLengthSlack,
    returnAttention: o.onSegment !== undefined && o.returnAttention,
    timestamps: o.timestamps,
  };
}

/** A failure as an event's error fields: a typed error keeps its code and input. */
export function errorInfo(error: unknown, input: string): ErrorInfo {
  if (error instanceof LasError) return { code: error.code, message: error.message, ...(error.input !== undefined ? { input: error.input } : {}) };
  return { code: 'STREAM_FAILED', message: error instanceof Error ? error.message : String(error), input };
}
