import { createResampler, type Resampler } from '../audio/resample.ts';
import type { Audio } from '../audio/types.ts';
import { ConfigError, LasError, StreamFailedError } from '../errors.ts';
import type { LoadedModel } from '../model/index.ts';
import type { FinalEvent, FinalReason, StreamEvent, StreamToken } from './events.ts';
import { validateStreamingOptions, type StreamingOptionsInput } from './options.ts';
import { createStreamingRecognizer, type StreamingRecognizer } from './recognizer.ts';

/**
 * Push-style streaming, for code that does not use RxJS. It has the shape of sherpa-onnx-node's
 * online recognizer:
 *
 *   const recognizer = createPushRecognizer(model, { mode: 'local' });
 *   const stream = recognizer.createStream();
 *   stream.acceptWaveform({ samples, sampleRate });        // any rate; only buffers
 *   while (recognizer.isReady(stream)) await recognizer.decode(stream);
 *   if (recognizer.isEndpoint(stream)) { console.log(recognizer.getResult(stream).text); recognizer.reset(stream); }
 *   stream.inputFinished();                                // then decode once more for the last utterance
 *
 * decode() is async because ONNX Runtime runs sessions asynchronously in Node. This file is a thin
 * layer over createStreamingRecognizer (recognizer.ts): the same features, VAD, endpointing and
 * decoding, so the texts equal those of the streamingRecognize operator.
 */
export interface PushStream {
  /** Queues audio (`{ samples, sampleRate }`, any rate, resampled to the model's); decode() processes it. */
  acceptWaveform(audio: Audio): void;
  /** No more audio: the next decode() finalises the last utterance. */
  inputFinished(): void;
}

export interface PushResult {
  /** Text of the utterance: the oldest ended one not yet reset, else the one in progress. */
  readonly text: string;
  readonly tokens: readonly StreamToken[];
  readonly utterance: number;
  /** True when this utterance has ended (isEndpoint); false for partial text. */
  readonly isFinal: boolean;
  /** Why it ended, for a final result. */
  readonly reason?: FinalReason;
  /** Its audio, [start, end) seconds on the stream's clock, for a final result. */
  readonly start?: number;
  readonly end?: number;
}

export interface PushStreamOptions {
  /** Aborting makes the next decode() reject with the signal's reason and ends the stream. */
  readonly signal?: AbortSignal;
}

export interface PushRecognizer {
  createStream(options?: PushStreamOptions): PushStream;
  /** Whether the stream holds audio not yet decoded, or a finish not yet processed. */
  isReady(stream: PushStream): boolean;
  /**
   * Decodes the queued audio. Rejects with the stream's typed error (a LasError naming the
   * stream's input) when the audio is bad, or with the abort reason; the stream is then over.
   */
  decode(stream: PushStream): Promise<void>;
  /** An utterance has ended and its result waits to be read (getResult) and reset. */
  isEndpoint(stream: PushStream): boolean;
  getResult(stream: PushStream): PushResult;
  /** Drops the ended utterance that getResult returned; the next one (or the partial) follows. */
  reset(stream: PushStream): void;
}

interface StreamState {
  readonly core: StreamingRecognizer;
  readonly input: string;
  readonly signal: AbortSignal | undefined;
  readonly pending: Audio[];
  readonly finals: FinalEvent[];
  resampler: Resampler | undefined;
  partial: { readonly utterance: number; readonly text: string; readonly tokens: readonly StreamToken[] } | undefined;
  /** The utterance in progress: one past the last that ended. */
  nextUtterance: number;
  finishing: boolean;
  failure: unknown;
  /** decode() calls of one stream run one after the other. */
  queue: Promise<void>;
}

export function createPushRecognizer(model: LoadedModel, options: StreamingOptionsInput = {}): PushRecognizer {
  const validated = validateStreamingOptions(options);
  createStreamingRecognizer(model, validated); // options the model must support fail here, not at the first stream
  const rate = model.config.frontEnd.sampleRate;
  const states = new WeakMap<PushStream, StreamState>();

  const stateOf = (stream: PushStream): StreamState => {
    const state = states.get(stream);
    if (state === undefined) throw new ConfigError('not a stream of this recognizer (use recognizer.createStream())', 'stream');
    return state;
  };

  const toModelRate = (state: StreamState, audio: Audio): Float32Array => {
    if (audio.sampleRate === rate && state.resampler === undefined) return audio.samples.slice();
    state.resampler ??= createResampler(audio.sampleRate, rate);
    if (audio.sampleRate !== state.resampler.fromRate)
      throw new ConfigError(`the stream started at ${state.resampler.fromRate} Hz; a chunk at ${audio.sampleRate} Hz cannot follow`, state.input);
    return state.resampler.push(audio.samples);
  };

  const take = (state: StreamState, events: readonly StreamEvent[]): void => {
    for (const event of events) {
      if (event.type === 'partial') state.partial = { utterance: event.utterance, text: event.text, tokens: event.tokens };
      else if (event.type === 'final') {
        state.finals.push(event);
        state.partial = undefined;
        state.nextUtterance = event.utterance + 1;
      } else state.failure = new StreamFailedError(event);
    }
  };

  const decodeNow = async (state: StreamState): Promise<void> => {
    if (state.failure !== undefined) throw state.failure;
    if (state.signal?.aborted) {
      state.failure = state.signal.reason;
      state.pending.length = 0;
      await state.core.finish();
      throw state.failure;
    }
    while (state.pending.length > 0) {
      take(state, await state.core.push(state.pending.shift()!));
      if (state.failure !== undefined) throw state.failure;
    }
    if (state.finishing && !state.core.closed) {
      const tail = state.resampler?.flush();
      if (tail !== undefined && tail.length > 0) take(state, await state.core.push({ samples: tail, sampleRate: rate }));
      if (state.failure !== undefined) throw state.failure;
      take(state, await state.core.finish());
    }
  };

  return {
    createStream(streamOptions = {}) {
      const signal = streamOptions.signal;
      const state: StreamState = {
        core: createStreamingRecognizer(model, validated),
        input: validated.input,
        signal,
        pending: [],
        finals: [],
        resampler: undefined,
        partial: undefined,
        nextUtterance: 0,
        finishing: false,
        failure: undefined,
        queue: Promise.resolve(),
      };
      const stream: PushStream = {
        acceptWaveform(audio) {
          if (signal?.aborted) throw signal.reason;
          if (state.finishing) throw new ConfigError('acceptWaveform after inputFinished()', state.input);
          if (audio === null || typeof audio !== 'object' || !(audio.samples instanceof Float32Array))
            throw new ConfigError('expected { samples: Float32Array, sampleRate } audio', state.input);
          const samples = toModelRate(state, audio);
          if (samples.length > 0) state.pending.push({ samples, sampleRate: rate });
        },
        inputFinished() {
          state.finishing = true;
        },
      };
      states.set(stream, state);
      return stream;
    },
    isReady(stream) {
      const state = stateOf(stream);
      return state.failure === undefined && (state.pending.length > 0 || (state.finishing && !state.core.closed));
    },
    decode(stream) {
      const state = stateOf(stream);
      const run = state.queue.then(() => decodeNow(state));
      state.queue = run.catch(() => undefined);
      return run;
    },
    isEndpoint(stream) {
      return stateOf(stream).finals.length > 0;
    },
    getResult(stream) {
      const state = stateOf(stream);
      const final = state.finals[0];
      if (final !== undefined) return { text: final.text, tokens: final.tokens, utterance: final.utterance, isFinal: true, reason: final.reason, start: final.start, end: final.end };
      if (state.partial !== undefined) return { ...state.partial, isFinal: false };
      return { text: '', tokens: [], utterance: state.nextUtterance, isFinal: false };
    },
    reset(stream) {
      stateOf(stream).finals.shift();
    },
  };
}
