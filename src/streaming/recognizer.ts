import { performance } from 'node:perf_hooks';
import type { AttentionParams } from '../attention/index.ts';
import type { Audio } from '../audio/types.ts';
import { decodeContextOf, decodeEncoded, effectiveLmWeight, effectiveWordLmWeight, type DecodeContext } from '../decoding/index.ts';
import { AudioError, ConfigError, LasError } from '../errors.ts';
import { createLogMelStream, normalise } from '../features/index.ts';
import { assertModesSupported, BLANK_ID, type LoadedModel } from '../model/index.ts';
import { createSpeechTrack, endpointRule, leadingSilenceCut } from './endpoint.ts';
import type { ErrorEvent, ErrorInfo, FinalEvent, FinalReason, StreamEvent, StreamToken } from './events.ts';
import { sameCharacters, shownText, spikeTokens, spikesAhead } from './partialSource.ts';
import { createSpikeTracker, type CtcSpike } from './ctcSpikes.ts';
import { createPartialDecoder, type PartialDecoder } from './partialDecoder.ts';
import { createSpikeStepper, type SpikeStepper } from './spikeSteps.ts';
import { partialWindow, validateStreamingOptions, type StreamingOptions, type StreamingOptionsInput } from './options.ts';
import { createSegmentEncoder } from './segmentEncoder.ts';
import { decoderWindow, errorInfo, finalDecodingOptions, firstUtterance, nextUtterance, partialText, trimmedUtterance, shownTimes, streamTokens, utteranceEndSeconds, windowPosition, type Utterance } from './utterance.ts';
import { createVad, firstSegmentSpeechFrame, frameLevelsDb, segmentSpeechFrames } from './vad.ts';

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
  /** Milliseconds spent so far in features (log-mel, VAD, normalisation), the encoder and decoding. */
  readonly stats: Readonly<{ featuresMs: number; encoderMs: number; decoderMs: number }>;
}

/**
 * A stream's options, validated and checked against the bundle (its modes, its subsampling for
 * chunkFrames, its LMs for the LM weights), with each final's window and decoding context:
 * a ConfigError here rather than at the first final. `las serve` checks its settings with it
 * before listening.
 */
export function checkStreamingOptionsFor(model: LoadedModel, options: StreamingOptionsInput = {}): { o: StreamingOptions; params: AttentionParams; ctx: DecodeContext } {
  const o = validateStreamingOptions(options);
  const { attention } = model.config;
  const { subsampling } = model.facts;
  assertModesSupported(model.facts, [o.mode]);
  if (o.chunkFrames % subsampling !== 0) throw new ConfigError(`chunkFrames must be a multiple of the model's subsampling factor ${subsampling}, got ${o.chunkFrames}`, 'chunkFrames');
  const params = { left: o.left ?? attention.left, right: o.right ?? attention.right }; // each final's window
  const ctx = decodeContextOf(model, params);
  effectiveLmWeight(o, ctx); // a weight above 0 for a bundle without an LM fails now, not at the first final
  effectiveWordLmWeight(o, ctx); // likewise a word LM weight that cannot apply
  return { o, params, ctx };
}

export function createStreamingRecognizer(model: LoadedModel, options: StreamingOptionsInput = {}): StreamingRecognizer {
  const { o, params, ctx } = checkStreamingOptionsFor(model, options);
  const { frontEnd, normStats, vocab, attention } = model.config;
  const { subsampling, hopSeconds, frameSeconds } = model.facts;
  const partialParams = partialWindow(o, attention); // partial text's: less look-ahead

  const logMel = createLogMelStream(frontEnd, o.input);
  const vad = createVad(o.endpoint.vad, frontEnd);
  const track = createSpeechTrack(hopSeconds);
  const encoder = createSegmentEncoder(model.encoder, o.chunkFrames);
  // Partial text (local mode only) comes from greedy attention steps as the frames arrive,
  // and/or from the CTC head's spikes (o.partialSource, partialSource.ts).
  let stepper: SpikeStepper | undefined; // the utterance's, for partialSource 'triggered'
  const newDecoder = () => {
    if (!(o.mode === 'local' && o.partials)) return undefined;
    stepper = o.partialSource === 'triggered' ? createSpikeStepper(model.decoder, partialParams) : undefined;
    return createPartialDecoder(stepper?.decoder ?? model.decoder, ctx, partialParams, o);
  };
  const newSpikes = () => createSpikeTracker(model.encoder.dims.vocabSize, BLANK_ID);
  const finalOptions = finalDecodingOptions(o, params);
  const stats = { featuresMs: 0, encoderMs: 0, decoderMs: 0 };
  // The stream's state: the utterance being heard, the samples pushed, and whether it ended.
  let u: Utterance = firstUtterance(newDecoder());
  let spikes = newSpikes();
  // The utterance's partial text as last shown, each character with the time it has been shown since.
  let shown: StreamToken[] = [];
  let samples = 0;
  let closed = false;

  const audioTime = () => samples / frontEnd.sampleRate;

  /** Decodes what the decoder can with the frames so far; a partial event when the shown characters changed. */
  async function advanceLocal(events: StreamEvent[], decoder: PartialDecoder): Promise<void> {
    // Nothing is shown for an utterance the VAD has heard no speech in (silence, hum, noise).
    if (!heardSpeech(encoder.reachedFeatures)) return;
    const t0 = performance.now();
    const made = await decoder.advance(encoder, false);
    for (const _ of made) u.emittedAt.push(audioTime());
    const next = await shownTokens(decoder);
    stats.decoderMs += performance.now() - t0;
    if (sameCharacters(next, shown)) return;
    const times = shownTimes(shown, next, audioTime());
    shown = next.map((t, i) => ({ ...t, emittedAt: times[i] }));
    events.push({ type: 'partial', utterance: u.index, text: shownText(shown), tokens: shown, window: decoderWindow(u, frameSeconds, decoder), audioTime: audioTime() });
  }

  /** The characters the partial text should show now, by o.partialSource; new ones carry the time now. */
  async function shownTokens(decoder: PartialDecoder): Promise<StreamToken[]> {
    const attentionTokens = () => partialText(u, decoder.steps, vocab, frameSeconds, encoder.frames).tokens;
    if (o.partialSource === 'attention') return attentionTokens();
    spikes.update(encoder.ctcLogits);
    const fromSpikes = (list: readonly CtcSpike[]) => spikeTokens(list, vocab.tokens, frameSeconds, u.offsetSeconds, audioTime());
    if (o.partialSource === 'ctc') return fromSpikes(spikes.spikes);
    const lastText = decoder.steps.filter((s) => vocab.isText(s.token)).at(-1);
    const at = { pointer: decoder.steps.length > 0 ? decoder.attention.pointer : undefined, lastToken: lastText?.token };
    const ahead = spikesAhead(spikes, at);
    // 'triggered': one provisional attention step per character spiked past the pointer; after <eos>, those characters themselves.
    if (stepper === undefined || decoder.stopped !== undefined) return attentionTokens().concat(fromSpikes(ahead));
    const steps = await stepper.run({ token: decoder.steps.at(-1)?.token, attention: decoder.attention }, encoder, ahead.length);
    return attentionTokens().concat(fromSpikes(steps.map((s) => ({ frame: s.peakFrame, token: s.token }))));
  }

  /** Feature frames [0, end) of the utterance held at least `minUtterance` of speech, so far as the causal VAD heard. */
  const heardSpeech = (end: number) => track.statusAt(end, false).speech >= o.endpoint.minUtterance;
  /** The same judged with all of frames [0, end) known (vad.ts): speech from the first frame counts too. */
  const segmentHeldSpeech = (end: number) => {
    if (heardSpeech(end)) return true;
    const { flags, levels } = track.framesBefore(end);
    return segmentSpeechFrames(levels, flags, o.endpoint.vad, frontEnd) * hopSeconds >= o.endpoint.minUtterance;
  };

  /** The utterance's first `frames` encoder frames, as one offline decode sees them. */
  function encodedPrefix(frames: number) {
    const { keyDim, memoryDim, vocabSize } = model.encoder.dims;
    return {
      frames,
      keys: encoder.keys.view().subarray(0, frames * keyDim),
      memory: encoder.memory.view().subarray(0, frames * memoryDim),
      ctcLogits: encoder.ctcLogits.view().subarray(0, frames * vocabSize),
    };
  }

  /**
   * Ends the utterance on `reason`. It covers feature frames [0, end) (default: all received
   * once the stream ended, all taken up otherwise), and the next one starts at frame `next`
   * (undefined: the stream ended). Its text is always an offline decode of exactly those
   * frames with the stream's options, so it equals transcribing that audio alone. An utterance
   * that held less than `minUtterance` of speech, judged with all its frames known
   * (segmentSpeechFrames), is not decoded: its text is empty and it is marked noSpeech, and
   * frames not encoded yet are never encoded.
   */
  async function finalise(events: StreamEvent[], reason: FinalReason, next: number | undefined, error?: ErrorInfo, end?: number): Promise<void> {
    const { decoder } = u;
    const usedFeatures = end ?? (next === undefined ? encoder.featureFrames : encoder.reachedFeatures);
    const usedFrames = Math.floor(usedFeatures / subsampling);
    let text = '';
    let tokens: StreamToken[] = [];
    const window = decoder !== undefined ? decoderWindow(u, frameSeconds, decoder) : windowPosition(u, frameSeconds, { start: 0, end: usedFrames }, usedFrames);
    const noSpeech = !segmentHeldSpeech(usedFeatures);
    if (!noSpeech && usedFrames > 0) {
      await encode(() => encoder.encodeTo(usedFeatures));
      const t0 = performance.now();
      const decoded = await decodeEncoded(model.decoder, encodedPrefix(usedFrames), ctx, finalOptions);
      stats.decoderMs += performance.now() - t0;
      text = decoded.text;
      tokens = streamTokens(u, decoded.tokens, shownTimes(shown, decoded.tokens, audioTime()));
      o.onSegment?.({ decoded, startSeconds: u.offsetSeconds, startFeature: u.startFeature });
    }
    if (text !== '' || next === undefined) {
      const start = u.offsetSeconds;
      const final: FinalEvent = { type: 'final', utterance: u.index, text, tokens, window, audioTime: audioTime(), reason, start, end: utteranceEndSeconds(frontEnd, start, usedFeatures), noSpeech, ...(error ? { error } : {}) };
      events.push(final);
    }
    if (next === undefined) return;
    restartAt(next, (decoder) => nextUtterance(u, next, model.facts, decoder));
  }

  /**
   * The stream goes on `at` feature frames into the utterance, as the utterance `made` gives
   * (the next one, or the same one trimmed): frames before it are dropped, the rest are encoded
   * from zero state (again, for those a partial decoder needed encoded already), and the partial
   * text starts over.
   */
  function restartAt(at: number, made: (decoder: PartialDecoder | undefined) => Utterance): void {
    encoder.restartAt(at);
    track.dropBefore(at);
    u = made(newDecoder());
    spikes = newSpikes();
    shown = [];
  }

  /**
   * After each chunk taken up: the leading-silence trim, partial decoding, then <eos>
   * (restartOnEos) and the endpoint rules. The trim and the rules are checked at every
   * encoder-frame boundary the chunk passed, and only on the VAD's verdicts, so where an
   * utterance is cut depends on the audio alone, not on the chunk size or the decoder: offline
   * transcription, which runs this recognizer without partials, splits a recording exactly where
   * a live stream of it does. For the same reason the cut is known before the chunk's frames are
   * encoded: only a partial decoder needs them at once; otherwise they are encoded once the
   * chunk is known to belong to an utterance that holds speech (or at its end, up to the cut),
   * so no frame is encoded twice.
   */
  async function afterChunk(events: StreamEvent[]): Promise<void> {
    if (trimLeadingSilence()) return;
    const { decoder } = u;
    if (decoder === undefined) {
      // Encoding the chunk now only spreads a live stream's work for its final over the chunks;
      // silence before the first speech, and an utterance too short to be decoded, are never
      // encoded at all.
      const cut = await checkRules(events);
      if (!cut && u.onsetHeard && heardSpeech(encoder.reachedFeatures)) await encode(() => encoder.encodeTo(encoder.reachedFeatures));
      return;
    }
    await encode(() => encoder.encodeTo(encoder.reachedFeatures));
    await advanceLocal(events, decoder);
    if (decoder.stopped === 'eos' && o.restartOnEos) {
      // The next utterance starts after the frame the attention ended on (its frames are
      // encoded again from zero state). When nothing was said and the VAD heard nothing, the
      // whole utterance is dropped instead, so silence costs no re-encoding.
      const hasText = decoder.steps.some((s) => vocab.isText(s.token));
      const heardNothing = !hasText && track.statusAt(encoder.reachedFeatures, false).speech === 0;
      await finalise(events, 'eos', heardNothing ? encoder.reachedFeatures : subsampling * (decoder.attention.pointer + 1));
      return;
    }
    await checkRules(events);
  }

  /**
   * At the first encoder-frame boundary whose frames hold the utterance's first speech frame
   * (and before any rule fires), the utterance restarts leadingSilence before that frame, so
   * its decode does not begin with the whole pause before it; it is called before the chunk's
   * frames are encoded, so the frames kept are encoded once, from zero state. Like the rules,
   * this depends on the VAD's verdicts alone, so offline and live recognition cut the same
   * frames. True if it restarted.
   */
  function trimLeadingSilence(): boolean {
    if (u.onsetHeard) return false;
    for (let f = u.checkedFeatures + subsampling; f <= encoder.reachedFeatures; f += subsampling) {
      const status = track.statusAt(f, false);
      if (status.speech > 0) {
        u.onsetHeard = true;
        // The causal VAD is blind at the start of a stream (vad.ts): speech it has not heard yet,
        // found with the frames so far all known, is kept too.
        const { flags, levels } = track.framesBefore(f);
        const causal = track.firstSpeechBefore(f);
        const judged = firstSegmentSpeechFrame(levels, flags, o.endpoint.vad, frontEnd);
        const firstSpeech = judged < 0 ? causal : Math.min(causal, judged);
        const cut = leadingSilenceCut(firstSpeech, o.endpoint, hopSeconds, subsampling);
        if (cut === 0) return false;
        restartAt(cut, (decoder) => trimmedUtterance(u, cut, model.facts, decoder));
        return true;
      }
      if (endpointRule(status, o.endpoint) !== undefined) return false; // checkRules ends the utterance here
    }
    return false;
  }

  /** Ends the utterance at the first encoder-frame boundary where a rule fires; true if one did. */
  async function checkRules(events: StreamEvent[]): Promise<boolean> {
    for (let f = u.checkedFeatures + subsampling; f <= encoder.reachedFeatures; f += subsampling) {
      const rule = endpointRule(track.statusAt(f, false), o.endpoint);
      if (rule !== undefined) {
        await finalise(events, rule, f, undefined, f);
        return true;
      }
      u.checkedFeatures = f;
    }
    return false;
  }

  async function encode(run: () => Promise<number>): Promise<void> {
    const t0 = performance.now();
    await run();
    stats.encoderMs += performance.now() - t0;
  }

  /** Ends the stream after a failure: what was recognised so far, then the error. */
  async function fail(events: StreamEvent[], error: unknown): Promise<StreamEvent[]> {
    closed = true;
    const info = errorInfo(error, o.input);
    try {
      await encoder.encodeRest();
      await finalise(events, 'error', undefined, info);
    } catch {
      // The model itself failed: report the text as it stood, without decoding further.
      const start = u.offsetSeconds;
      events.push({ type: 'final', utterance: u.index, text: '', tokens: [], window: windowPosition(u, frameSeconds, { start: 0, end: 0 }, 0), audioTime: audioTime(), reason: 'error', start, end: start, noSpeech: false, error: info });
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
    stats,
    async push(audio) {
      if (closed) return [];
      const events: StreamEvent[] = [];
      try {
        if (audio === null || typeof audio !== 'object' || !(audio.samples instanceof Float32Array))
          throw new AudioError('UNSUPPORTED_ENCODING', 'expected { samples: Float32Array, sampleRate } audio chunks', o.input);
        if (audio.sampleRate !== frontEnd.sampleRate)
          throw new AudioError('BAD_SAMPLE_RATE', `chunk at ${audio.sampleRate} Hz, the model needs ${frontEnd.sampleRate} Hz (resample first)`, o.input);
        const t0 = performance.now();
        const raw = logMel.push(audio.samples); // [frames, nMels]
        samples += audio.samples.length;
        if (raw.frames > 0) {
          const levels = frameLevelsDb(raw, vad.reference);
          track.append(vad.classifyLevels(levels), levels);
          const features = normalise(raw, normStats, `${model.dir}/config.json normStats`);
          encoder.append(features.data, features.frames);
        }
        stats.featuresMs += performance.now() - t0;
        while (encoder.hasChunk()) {
          encoder.reachChunk();
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
        // The rules also cut the frames of the last, partial chunk, as they would have had the
        // stream gone on; finalise encodes what the decode needs.
        encoder.reachEnd();
        while (trimLeadingSilence() || (await checkRules(events))) encoder.reachEnd();
        await finalise(events, 'end', undefined);
        return events;
      } catch (cause) {
        if (!(cause instanceof LasError)) throw cause;
        return fail(events, cause);
      }
    },
  };
}
