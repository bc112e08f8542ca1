import type { AttentionWindow } from '../attention/index.ts';
import type { Audio } from '../audio/types.ts';
import { align, decodeEncoded, type DecodeContext, type StepRecord, type TimedToken } from '../decoding/index.ts';
import { AudioError, ConfigError, LasError } from '../errors.ts';
import { createLogMelStream, normalise } from '../features/index.ts';
import type { LoadedModel } from '../model/index.ts';
import { createSpeechTrack, endpointRule } from './endpoint.ts';
import type { ErrorEvent, ErrorInfo, FinalEvent, FinalReason, StreamEvent, StreamToken, WindowPosition } from './events.ts';
import { createGreedyLocalDecoder, type GreedyLocalDecoder } from './greedyLocal.ts';
import { validateStreamingOptions, type StreamingOptions, type StreamingOptionsInput } from './options.ts';
import { createSegmentEncoder } from './segmentEncoder.ts';
import { createVad } from './vad.ts';

/**
 * Recognises one live stream: audio chunks in, partial and final events out. Features, the
 * VAD, the encoder (with its carried state) and the decoder all advance chunk by chunk; an
 * endpoint ends the utterance (local: the remaining characters are decoded with every frame
 * known; global: the whole utterance is decoded now), and the next one starts from zero state.
 * An utterance is a run of feature frames, so its final text equals offline decoding of its
 * audio (the final event's [start, end)).
 *
 * Calls must not overlap: await each push before the next. The model is shared and never
 * changed; all state here belongs to this stream.
 */
export interface StreamingRecognizer {
  readonly options: StreamingOptions;
  /** Seconds of audio pushed so far. */
  readonly audioTime: number;
  /** Audio at the model's rate; returns the events it caused. A bad chunk ends the stream with a final and an error event. */
  push(audio: Audio): Promise<StreamEvent[]>;
  /**
   * The input ended (or failed, with `error`): the last utterance is finalised. Returns its
   * final event (always, even with empty text) and, after a failure, an error event.
   */
  finish(error?: unknown): Promise<StreamEvent[]>;
  /** True once finished or failed; later calls return no events. */
  readonly closed: boolean;
}

export function createStreamingRecognizer(model: LoadedModel, options: StreamingOptionsInput = {}): StreamingRecognizer {
  const o = validateStreamingOptions(options);
  const { frontEnd, normStats, subsampling, vocab, attention } = model.config;
  if (!attention.modes.includes(o.mode)) throw new ConfigError(`the model supports attention modes ${attention.modes.join(', ')}, not "${o.mode}"`, 'mode');
  if (o.chunkFrames % subsampling !== 0) throw new ConfigError(`chunkFrames must be a multiple of the model's subsampling factor ${subsampling}, got ${o.chunkFrames}`, 'chunkFrames');
  const params = { left: o.left ?? attention.left, right: o.right ?? attention.right };
  const hopSeconds = frontEnd.hopLength / frontEnd.sampleRate;
  const frameSeconds = subsampling * hopSeconds; // one encoder frame
  const ctx: DecodeContext = { vocab, frameSeconds, attention: params };

  const logMel = createLogMelStream(frontEnd, o.input);
  const vad = createVad(o.endpoint.vad, frontEnd);
  const track = createSpeechTrack(hopSeconds);
  const encoder = createSegmentEncoder(model.encoder, o.chunkFrames);
  const newDecoder = () => (o.mode === 'local' ? createGreedyLocalDecoder(model.decoder, params, o) : undefined);
  let decoder: GreedyLocalDecoder | undefined = newDecoder();
  let emittedAt: number[] = []; // audio time of each decoder step of the utterance
  let utterance = 0;
  let utteranceStart = 0; // feature frame of the stream where the utterance starts
  let samples = 0;
  let closed = false;

  const audioTime = () => samples / frontEnd.sampleRate;
  const offsetSeconds = () => utteranceStart * hopSeconds; // a multiple of `subsampling` frames
  const position = (w: AttentionWindow, pointer: number): WindowPosition => ({
    start: offsetSeconds() + w.start * frameSeconds,
    end: offsetSeconds() + w.end * frameSeconds,
    pointer: offsetSeconds() + pointer * frameSeconds,
  });
  const streamTokens = (tokens: readonly TimedToken[], times: readonly number[]): StreamToken[] =>
    tokens.map((t, i) => ({ token: t.token, start: offsetSeconds() + t.start, end: offsetSeconds() + t.end, emittedAt: times[i] }));
  const localText = (steps: readonly StepRecord[]) => {
    const aligned = align(steps, vocab, frameSeconds, encoder.frames, false);
    const times = emittedAt.filter((_, i) => vocab.isText(steps[i].token));
    return { text: aligned.text, tokens: streamTokens(aligned.tokens, times) };
  };
  const localWindow = (d: GreedyLocalDecoder): WindowPosition => position(d.window, d.attention.pointer);

  /** Decodes what the decoder can with the frames so far; a partial event when characters came. */
  async function advanceLocal(events: StreamEvent[], inputEnded: boolean): Promise<void> {
    if (decoder === undefined) return;
    const made = await decoder.advance(encoder, inputEnded);
    for (const _ of made) emittedAt.push(audioTime());
    if (!inputEnded && made.some((s) => vocab.isText(s.token))) {
      const { text, tokens } = localText(decoder.steps);
      events.push({ type: 'partial', utterance, text, tokens, window: localWindow(decoder), audioTime: audioTime() });
    }
  }

  /** Ends the utterance on `reason`; the next one starts at its feature frame `next` (undefined: the stream ended). */
  async function finalise(events: StreamEvent[], reason: FinalReason, next: number | undefined, error?: ErrorInfo): Promise<void> {
    const usedFeatures = next === undefined ? encoder.featureFrames : encoder.encodedFeatures;
    let text = '';
    let tokens: StreamToken[] = [];
    let window = position({ start: 0, end: encoder.frames }, encoder.frames);
    if (decoder !== undefined) {
      await advanceLocal(events, true);
      ({ text, tokens } = localText(decoder.steps));
      window = localWindow(decoder);
    } else if (encoder.frames > 0 && reason !== 'rule1') {
      // Rule 1 fired: nothing but silence, so there is nothing to decode.
      const decoded = await decodeEncoded(model.decoder, { frames: encoder.frames, keys: encoder.keys.view(), memory: encoder.memory.view(), ctcLogits: new Float32Array(0) }, ctx, {
        mode: 'global',
        beam: o.beam,
        lengthPenalty: o.lengthPenalty,
        maxTokensPerFrame: o.maxTokensPerFrame,
        maxLengthSlack: o.maxLengthSlack,
      });
      text = decoded.text;
      tokens = streamTokens(decoded.tokens, decoded.tokens.map(() => audioTime()));
    }
    if (text !== '' || next === undefined) {
      const start = offsetSeconds();
      const end = usedFeatures === 0 ? start : start + ((usedFeatures - 1) * frontEnd.hopLength + frontEnd.frameLength) / frontEnd.sampleRate;
      const final: FinalEvent = { type: 'final', utterance, text, tokens, window, audioTime: audioTime(), reason, start, end, ...(error ? { error } : {}) };
      events.push(final);
    }
    if (next === undefined) return;
    utterance++;
    utteranceStart += next;
    encoder.restartAt(next);
    track.dropBefore(next);
    decoder = newDecoder();
    emittedAt = [];
  }

  /** After each encoder chunk: decode, then check <eos> and the endpoint rules at the chunk's end. */
  async function afterChunk(events: StreamEvent[]): Promise<void> {
    await advanceLocal(events, false);
    const hasText = decoder?.steps.some((s) => vocab.isText(s.token)) ?? false;
    const status = track.statusAt(encoder.encodedFeatures, hasText);
    if (decoder?.stopped === 'eos' && o.restartOnEos) {
      // The next utterance starts after the frame the attention ended on (its frames are
      // encoded again from zero state). When nothing was said and the VAD heard nothing, the
      // whole utterance is dropped instead, so silence costs no re-encoding.
      const heardNothing = !hasText && status.speech === 0;
      await finalise(events, 'eos', heardNothing ? encoder.encodedFeatures : subsampling * (decoder.attention.pointer + 1));
      return;
    }
    const rule = endpointRule(status, o.endpoint);
    if (rule !== undefined) await finalise(events, rule, encoder.encodedFeatures);
  }

  function errorInfo(error: unknown): ErrorInfo {
    if (error instanceof LasError) return { code: error.code, message: error.message, ...(error.input !== undefined ? { input: error.input } : {}) };
    return { code: 'STREAM_FAILED', message: error instanceof Error ? error.message : String(error), input: o.input };
  }

  /** Ends the stream after a failure: what was recognised so far, then the error. */
  async function fail(events: StreamEvent[], error: unknown): Promise<StreamEvent[]> {
    closed = true;
    const info = errorInfo(error);
    try {
      await encoder.encodeRest();
      await finalise(events, 'error', undefined, info);
    } catch {
      // The model itself failed: report the text as it stood, without decoding further.
      events.push({ type: 'final', utterance, text: '', tokens: [], window: position({ start: 0, end: 0 }, 0), audioTime: audioTime(), reason: 'error', start: offsetSeconds(), end: offsetSeconds(), error: info });
    }
    const event: ErrorEvent = { type: 'error', ...info, audioTime: audioTime() };
    events.push(event);
    return events;
  }

  return {
    options: o,
    get audioTime() {
      return audioTime();
    },
    get closed() {
      return closed;
    },
    async push(audio) {
      if (closed) return [];
      const events: StreamEvent[] = [];
      try {
        if (audio === null || typeof audio !== 'object' || !(audio.samples instanceof Float32Array))
          throw new AudioError('UNSUPPORTED_ENCODING', 'expected { samples: Float32Array, sampleRate } audio chunks', o.input);
        if (audio.sampleRate !== frontEnd.sampleRate)
          throw new AudioError('BAD_SAMPLE_RATE', `chunk at ${audio.sampleRate} Hz, the model needs ${frontEnd.sampleRate} Hz (resample first)`, o.input);
        const raw = logMel.push(audio.samples); // [frames, nMels]
        samples += audio.samples.length;
        if (raw.frames > 0) {
          track.append(vad.classify(raw));
          const features = normalise(raw, normStats, `${model.dir}/config.json normStats`);
          encoder.append(features.data, features.frames);
        }
        while (encoder.hasChunk()) {
          await encoder.encodeChunk();
          await afterChunk(events);
        }
        return events;
      } catch (error) {
        if (!(error instanceof LasError)) throw error;
        return fail(events, error);
      }
    },
    async finish(error) {
      if (closed) return [];
      const events: StreamEvent[] = [];
      if (error !== undefined) return fail(events, error);
      closed = true;
      try {
        await encoder.encodeRest();
        await finalise(events, 'end', undefined);
        return events;
      } catch (cause) {
        if (!(cause instanceof LasError)) throw cause;
        return fail(events, cause);
      }
    },
  };
}
