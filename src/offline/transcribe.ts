/**
 * Public API: load a bundle, transcribe one utterance.
 *
 *   const model = await loadModel('models/tiny');
 *   const result = await transcribe('clip.wav', { model, mode: 'local', beam: 4 });
 *
 * Pipeline: audio (src/audio, resampled to the bundle's rate) -> log-mel (src/features) ->
 * normalisation with the bundle's normStats -> encoder -> beam search over decoder steps.
 */
import { performance } from 'node:perf_hooks';
import { assertUsable, probeWavFile, readWavFile, resample, streamWavFile } from '../audio/index.ts';
import type { Audio } from '../audio/types.ts';
import type { ModeName } from '../attention/index.ts';
import { decodeContextOf, decodeEncoded, validateDecodingOptions, type AttentionMatrix, type DecodingOptions, type TimedToken, type TimedWord } from '../decoding/index.ts';
import { AudioError, ConfigError } from '../errors.ts';
import { computeLogMel, frameCount, normalise } from '../features/index.ts';
import { assertModesSupported, loadBundle, type LoadedModel, type SessionOptions } from '../model/index.ts';
import { transcribeSegmented, type Segment } from './segmented.ts';
import { defaultModelDir } from '../model/defaultModel.ts';
import { abortable } from '../util/abortable.ts';

export type { LoadedModel, ModelCard, SessionOptions } from '../model/index.ts';
export type { DecodingOptions } from '../decoding/index.ts';
export type { Segment } from './segmented.ts';

/**
 * Loads and checks a model bundle directory (config.json, encoder.onnx, decoder_step.onnx).
 * With no directory: `$LAS_MODEL` if set, else the bundle shipped in the package.
 */
export function loadModel(dir?: string, sessionOptions: Partial<SessionOptions> = {}): Promise<LoadedModel> {
  return loadBundle(dir ?? defaultModelDir(), sessionOptions);
}

export interface TranscribeOptions extends Partial<DecodingOptions> {
  /** A loaded model, or a bundle directory to load for this call only (then released). */
  readonly model: LoadedModel | string;
  /** Session options when `model` is a directory. */
  readonly sessionOptions?: Partial<SessionOptions>;
  /** Names in-memory audio in errors. Default "<audio>"; a path names itself. */
  readonly input?: string;
  /** Encoder chunk in feature frames (a multiple of the subsampling factor); 0 = whole utterance. Default 0. Only with segmentation off. */
  readonly chunkFrames?: number;
  /**
   * Split the recording at pauses (the VAD and endpoint rules of src/streaming, exactly as a live
   * stream is split) and decode it segment by segment, so a long recording is decoded whole in
   * either mode, with memory flat in its length for a file. false decodes the input as one
   * utterance. Default true.
   */
  readonly segmentation?: boolean;
  /** Input longer than this many seconds is refused with AudioError TOO_LONG. Default DEFAULT_MAX_INPUT_SECONDS (4 h). */
  readonly maxSeconds?: number;
  /**
   * Aborting rejects the call with the signal's reason: before the next block of audio is
   * decoded (segmented: 1 s of in-memory audio, 10 s read from a file), or the next stage (one
   * utterance). An ONNX run
   * already started finishes first.
   */
  readonly signal?: AbortSignal;
}

/** Default maximum input duration: 4 hours (about 1.8 GB of 16 kHz float samples if held whole). */
export const DEFAULT_MAX_INPUT_SECONDS = 4 * 3600;

export interface Timing {
  readonly featuresMs: number; // log-mel + normalisation
  readonly encoderMs: number;
  readonly decoderMs: number; // the whole search
  /** Wall time of the call (audio reading included, model loading excluded). */
  readonly totalMs: number;
  readonly audioSeconds: number;
  /** Real-time factor: totalMs / 1000 / audioSeconds; below 1 is faster than real time. */
  readonly rtf: number;
}

export interface TranscriptionResult {
  readonly text: string;
  readonly tokens: readonly TimedToken[];
  readonly words: readonly TimedWord[];
  readonly timing: Timing;
  readonly framesAttendedPerToken: number;
  readonly attention?: AttentionMatrix;
  readonly mode: ModeName;
  readonly beam: number;
  readonly encoderFrames: number;
  readonly logProb: number;
  /** The VAD heard no speech (silence, hum, noise, a DC offset...): nothing was decoded and the text is empty. */
  readonly noSpeech: boolean;
  /** The pieces the recording was cut into at pauses (one, for a single utterance). */
  readonly segments: readonly Segment[];
}

/**
 * Transcribes one utterance: a WAV path or `{ samples, sampleRate }` audio (any rate; resampled).
 * Throws typed errors naming the input: AudioError (unreadable, TOO_SHORT for less than one
 * encoder frame of audio, TOO_LONG past maxSeconds), ConfigError (bad options, a mode the
 * bundle does not support), ModelError (missing or broken bundle).
 */
export async function transcribe(audio: Audio | string, options: TranscribeOptions): Promise<TranscriptionResult> {
  const { model: modelOrDir, sessionOptions, input: inputName, chunkFrames = 0, segmentation = true, maxSeconds = DEFAULT_MAX_INPUT_SECONDS, signal, ...decoding } = options ?? ({} as TranscribeOptions);
  const decodingOptions = validateDecodingOptions(decoding); // fail fast, before any I/O
  if (typeof segmentation !== 'boolean') throw new ConfigError(`segmentation must be true or false, got ${String(segmentation)}`, 'segmentation');
  if (!(typeof maxSeconds === 'number' && maxSeconds > 0)) throw new ConfigError(`maxSeconds must be a number of seconds > 0, got ${String(maxSeconds)}`, 'maxSeconds');
  if (!(Number.isInteger(chunkFrames) && chunkFrames >= 0)) throw new ConfigError(`chunkFrames must be 0 (one call) or a positive whole number of frames, got ${String(chunkFrames)}`, 'chunkFrames');
  if (segmentation && chunkFrames !== 0) throw new ConfigError('chunkFrames applies to one-utterance decoding: add segmentation: false', 'chunkFrames');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ConfigError('signal must be an AbortSignal', 'signal');
  signal?.throwIfAborted();
  if (typeof modelOrDir !== 'string' && (modelOrDir === undefined || modelOrDir === null || typeof modelOrDir !== 'object'))
    throw new ConfigError('options.model must be a loaded model or a bundle directory', 'model');
  const owned = typeof modelOrDir === 'string';
  const model = owned ? await loadModel(modelOrDir, sessionOptions) : modelOrDir;
  try {
    // The multiple depends on the bundle, so it is checked once the model is known, before any audio is read.
    const { subsampling } = model.facts;
    if (chunkFrames % subsampling !== 0) throw new ConfigError(`chunkFrames must be a multiple of the model's subsampling factor ${subsampling}, got ${chunkFrames}`, 'chunkFrames');
    return segmentation ? await runSegmented(model, audio, inputName, maxSeconds, decodingOptions, signal) : await run(model, audio, inputName, chunkFrames, decodingOptions, maxSeconds, signal);
  } finally {
    if (owned) await model.dispose();
  }
}

/** Less than one encoder frame of audio gives nothing to attend to. */
function assertEncodable(model: LoadedModel, samples: number, input: string): void {
  const { frontEnd } = model.config;
  const { subsampling, minSamples, sampleRate } = model.facts;
  const features = frameCount(samples, frontEnd);
  if (features < subsampling) {
    const minMs = (minSamples / sampleRate) * 1000;
    throw new AudioError('TOO_SHORT', `${((samples / frontEnd.sampleRate) * 1000).toFixed(1)} ms of audio gives ${features} feature frames; the model needs ${subsampling} (${minMs} ms)`, input);
  }
}

const tooLong = (seconds: number, maxSeconds: number, input: string) =>
  new AudioError('TOO_LONG', `${seconds.toFixed(1)} s of audio is longer than the maximum input duration of ${maxSeconds} s (maxSeconds)`, input);

/** Blocks of in-memory audio, as views (no copy). */
function* blocks(audio: Audio, seconds: number): Generator<Audio> {
  const n = Math.max(1, Math.round(seconds * audio.sampleRate));
  for (let i = 0; i < audio.samples.length; i += n) yield { samples: audio.samples.subarray(i, i + n), sampleRate: audio.sampleRate };
}

async function runSegmented(model: LoadedModel, source: Audio | string, inputName: string | undefined, maxSeconds: number, options: DecodingOptions, signal: AbortSignal | undefined): Promise<TranscriptionResult> {
  assertModesSupported(model.facts, [options.mode]);
  const { frontEnd } = model.config;
  const start = performance.now();
  const input = typeof source === 'string' ? source : (inputName ?? '<audio>');
  let chunks: AsyncIterable<Audio> | Iterable<Audio>;
  if (typeof source === 'string') {
    // The header says how long the file is: refuse it before decoding anything.
    const info = await probeWavFile(source, { input });
    if (info.durationSeconds > maxSeconds) throw tooLong(info.durationSeconds, maxSeconds, input);
    assertEncodable(model, Math.floor(info.durationSeconds * frontEnd.sampleRate), input);
    chunks = streamWavFile(source, { input, targetRate: frontEnd.sampleRate });
  } else {
    const audio = await loadAudio(source, input, frontEnd.sampleRate);
    if (audio.samples.length / audio.sampleRate > maxSeconds) throw tooLong(audio.samples.length / audio.sampleRate, maxSeconds, input);
    assertEncodable(model, audio.samples.length, input);
    chunks = blocks(audio, 1);
  }
  const t = await transcribeSegmented(model, abortable(chunks, signal), options, { input, maxSeconds });
  signal?.throwIfAborted();
  const totalMs = performance.now() - start;
  return {
    text: t.text,
    tokens: t.tokens,
    words: t.words,
    timing: { featuresMs: t.featuresMs, encoderMs: t.encoderMs, decoderMs: t.decoderMs, totalMs, audioSeconds: t.audioSeconds, rtf: totalMs / 1000 / t.audioSeconds },
    framesAttendedPerToken: t.framesAttendedPerToken,
    ...(t.attention !== undefined ? { attention: t.attention } : {}),
    mode: options.mode,
    beam: options.beam,
    encoderFrames: t.encoderFrames,
    logProb: t.logProb,
    noSpeech: t.noSpeech,
    segments: t.segments,
  };
}

async function run(model: LoadedModel, source: Audio | string, inputName: string | undefined, chunkFrames: number, options: DecodingOptions, maxSeconds: number, signal: AbortSignal | undefined): Promise<TranscriptionResult> {
  const { frontEnd, normStats, attention, vocab } = model.config;
  const { subsampling, frameSeconds, minSamples } = model.facts;
  assertModesSupported(model.facts, [options.mode]);
  const start = performance.now();

  const input = typeof source === 'string' ? source : (inputName ?? '<audio>');
  const audio = await loadAudio(source, input, frontEnd.sampleRate);
  const audioSeconds = audio.samples.length / audio.sampleRate;
  if (audioSeconds > maxSeconds) throw tooLong(audioSeconds, maxSeconds, input);
  signal?.throwIfAborted();

  const t0 = performance.now();
  const raw = computeLogMel(audio, frontEnd, input);
  if (raw.frames < subsampling) {
    // The encoder emits one frame per `subsampling` feature frames; less gives nothing to attend to.
    const minMs = (minSamples / frontEnd.sampleRate) * 1000;
    throw new AudioError('TOO_SHORT', `${(audioSeconds * 1000).toFixed(1)} ms of audio gives ${raw.frames} feature frames; the model needs ${subsampling} (${minMs} ms)`, input);
  }
  const features = normalise(raw, normStats, `${model.dir}/config.json normStats`);
  signal?.throwIfAborted();
  const t1 = performance.now();
  const encoded = await model.encoder.encode(features.data, features.frames, chunkFrames);
  signal?.throwIfAborted();
  const t2 = performance.now();
  const decoded = await decodeEncoded(model.decoder, encoded, decodeContextOf(model), options);
  signal?.throwIfAborted();
  const end = performance.now();

  const totalMs = end - start;
  return {
    text: decoded.text,
    tokens: decoded.tokens,
    words: decoded.words,
    timing: { featuresMs: t1 - t0, encoderMs: t2 - t1, decoderMs: end - t2, totalMs, audioSeconds, rtf: totalMs / 1000 / audioSeconds },
    framesAttendedPerToken: decoded.framesAttendedPerToken,
    ...(decoded.attention !== undefined ? { attention: decoded.attention } : {}),
    mode: options.mode,
    beam: options.beam,
    encoderFrames: encoded.frames,
    logProb: decoded.logProb,
    noSpeech: false,
    segments: [{ start: 0, end: audioSeconds, text: decoded.text, noSpeech: false }],
  };
}

/** Reads or checks the audio, resamples it to `rate`, and rejects digital silence. */
async function loadAudio(source: Audio | string, input: string, rate: number): Promise<Audio> {
  let audio: Audio;
  if (typeof source === 'string') audio = await readWavFile(source, { input, targetRate: rate });
  else {
    if (source === null || typeof source !== 'object' || !(source.samples instanceof Float32Array))
      throw new AudioError('UNSUPPORTED_ENCODING', 'expected a WAV path or { samples: Float32Array, sampleRate }', input);
    assertUsable(source, input);
    audio = source.sampleRate === rate ? source : resample(source, rate);
  }
  assertUsable(audio, input);
  return audio;
}
