import type { Audio } from '../audio/types.ts';
import type { AttentionMatrix, DecodingOptions, TimedToken, TimedWord } from '../decoding/index.ts';
import { AudioError, LasError } from '../errors.ts';
import { frameCount } from '../features/index.ts';
import type { LoadedModel } from '../model/index.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { MAX_CHUNK_FRAMES, type DecodedSegment } from '../streaming/options.ts';
import { createStreamingRecognizer } from '../streaming/recognizer.ts';

/**
 * Feature frames per encoder call offline: the most a recognizer takes (10 s), so most segments
 * are encoded in one call, as whole-utterance decoding encodes an utterance. Where a recording
 * is cut does not depend on it (the rules are checked at every encoder frame), and the encoder
 * gives the same frames in any chunking (docs/contracts.md section 4); the cuts are found before
 * the frames are encoded, so each frame is encoded once, in chunks of this size from its
 * segment's start, and larger chunks cost nothing but the features held until a chunk is
 * complete or the input ends.
 */
export const OFFLINE_CHUNK_FRAMES = MAX_CHUNK_FRAMES;

/** One utterance of a recording, cut at a pause by the VAD and the endpoint rules. */
export interface Segment {
  readonly start: number; // seconds
  readonly end: number;
  readonly text: string;
  /** The VAD heard no speech in it: it was not decoded. */
  readonly noSpeech: boolean;
}

export interface SegmentedTranscript {
  /** Segment texts joined by single spaces. */
  readonly text: string;
  readonly segments: readonly Segment[];
  /** Every segment's characters and words, on the recording's clock. */
  readonly tokens: readonly TimedToken[];
  readonly words: readonly TimedWord[];
  /** [tokens, encoder frames of the whole recording], each segment's block at its place. */
  readonly attention: AttentionMatrix | undefined;
  readonly framesAttendedPerToken: number;
  readonly encoderFrames: number;
  readonly logProb: number;
  /** No segment held speech: silence, hum, noise, a DC offset... the text is empty. */
  readonly noSpeech: boolean;
  readonly audioSeconds: number;
  readonly featuresMs: number;
  readonly encoderMs: number;
  readonly decoderMs: number;
}

export interface SegmentedOptions {
  readonly input: string;
  /** Longer input is refused with AudioError TOO_LONG when it is reached (files are checked up front). */
  readonly maxSeconds: number;
}

/**
 * Transcribes a whole recording segment by segment: the audio goes through the streaming
 * recognizer without partials, so a recording is split exactly where `las listen` and
 * `las serve` would split it live (src/streaming/recognizer.ts), each segment's frames are
 * decoded with the full search as soon as it ends and then dropped, and memory stays flat in
 * the length when the chunks come from streamWavFile. Each segment's text equals transcribing
 * that segment's audio alone.
 */
export async function transcribeSegmented(
  model: LoadedModel,
  chunks: AsyncIterable<Audio> | Iterable<Audio>,
  decoding: DecodingOptions,
  options: SegmentedOptions,
): Promise<SegmentedTranscript> {
  const { frontEnd } = model.config;
  const { subsampling } = model.facts;
  const decoded: DecodedSegment[] = [];
  const recognizer = createStreamingRecognizer(model, {
    mode: decoding.mode,
    beam: decoding.beam,
    ctcWeight: decoding.ctcWeight,
    lmWeight: decoding.lmWeight,
    wordLmWeight: decoding.wordLmWeight,
    oovPenalty: decoding.oovPenalty,
    wordPenalty: decoding.wordPenalty,
    lengthPenalty: decoding.lengthPenalty,
    maxTokensPerFrame: decoding.maxTokensPerFrame,
    maxLengthSlack: decoding.maxLengthSlack,
    left: decoding.left,
    right: decoding.right,
    partials: false,
    chunkFrames: OFFLINE_CHUNK_FRAMES,
    returnAttention: decoding.returnAttention,
    timestamps: decoding.timestamps,
    onSegment: (segment) => decoded.push(segment),
    input: options.input,
  });
  // Only what the result keeps: a final's tokens are the decoded segment's, kept once in `decoded`.
  const segments: Segment[] = [];
  const collect = (events: readonly StreamEvent[]) => {
    for (const e of events) {
      if (e.type === 'final') segments.push({ start: e.start, end: e.end, text: e.text, noSpeech: e.noSpeech ?? e.text === '' });
      // The recognizer turns a failure into an error event; offline, the item fails instead.
      if (e.type === 'error') throw new LasError(e.code, e.message.startsWith(`${e.input}: `) ? e.message.slice(`${e.input}: `.length) : e.message, e.input);
    }
  };
  let samples = 0;
  const maxSamples = options.maxSeconds * frontEnd.sampleRate;
  for await (const chunk of chunks) {
    samples += chunk.samples.length;
    if (samples > maxSamples) {
      await recognizer.finish(new AudioError('TOO_LONG', `longer than the maximum input duration of ${options.maxSeconds} s`, options.input));
      throw new AudioError('TOO_LONG', `longer than the maximum input duration of ${options.maxSeconds} s (maxSeconds)`, options.input);
    }
    collect(await recognizer.push(chunk));
  }
  collect(await recognizer.finish());

  const shift = <T extends { start: number; end: number }>(t: T, by: number): T => ({ ...t, start: t.start + by, end: t.end + by });
  const tokens = decoded.flatMap((d) => d.decoded.tokens.map((t) => Object.freeze(shift(t, d.startSeconds))));
  const words = decoded.flatMap((d) => d.decoded.words.map((w) => Object.freeze(shift(w, d.startSeconds))));
  const featureFrames = frameCount(samples, frontEnd);
  const encoderFrames = Math.floor(featureFrames / subsampling);
  const steps = decoded.reduce((n, d) => n + d.decoded.decoderSteps, 0);
  const stats = recognizer.stats;
  return {
    text: decoded.map((d) => d.decoded.text).filter((t) => t !== '').join(' '),
    segments,
    tokens,
    words,
    attention: decoding.returnAttention ? placeAttention(decoded, tokens.length, encoderFrames, subsampling) : undefined,
    framesAttendedPerToken: steps === 0 ? 0 : decoded.reduce((a, d) => a + d.decoded.framesAttendedPerToken * d.decoded.decoderSteps, 0) / steps,
    encoderFrames,
    logProb: decoded.reduce((a, d) => a + d.decoded.logProb, 0),
    noSpeech: decoded.length === 0,
    audioSeconds: samples / frontEnd.sampleRate,
    featuresMs: stats.featuresMs,
    encoderMs: stats.encoderMs,
    decoderMs: stats.decoderMs,
  };
}

/** Each segment's [tokens, frames] matrix placed at its rows and its frames of the recording. */
function placeAttention(decoded: readonly DecodedSegment[], rows: number, cols: number, subsampling: number): AttentionMatrix {
  const data = new Float32Array(rows * cols); // [tokens, encoderFrames]
  let row = 0;
  for (const { decoded: d, startFeature } of decoded) {
    const offset = startFeature / subsampling;
    const m = d.attention;
    if (m !== undefined)
      for (let r = 0; r < m.rows; r++) {
        const width = Math.min(m.cols, cols - offset);
        if (width > 0) data.set(m.data.subarray(r * m.cols, r * m.cols + width), (row + r) * cols + offset);
      }
    row += d.tokens.length;
  }
  return Object.freeze({ rows, cols, data });
}
