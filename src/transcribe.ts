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
import { assertUsable, readWavFile, resample } from './audio/index.ts';
import type { Audio } from './audio/types.ts';
import type { ModeName } from './attention/index.ts';
import { decodeEncoded, validateDecodingOptions, type AttentionMatrix, type DecodingOptions, type TimedToken, type TimedWord } from './decoding/index.ts';
import { AudioError, ConfigError } from './errors.ts';
import { computeLogMel, normalise } from './features/index.ts';
import { loadBundle, type LoadedModel, type SessionOptions } from './model/index.ts';
import { defaultModelDir } from './model/defaultModel.ts';

export type { LoadedModel, ModelCard, SessionOptions } from './model/index.ts';
export type { DecodingOptions } from './decoding/index.ts';

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
  /** Encoder chunk in feature frames (a multiple of the subsampling factor); 0 = whole utterance. Default 0. */
  readonly chunkFrames?: number;
}

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
}

/**
 * Transcribes one utterance: a WAV path or `{ samples, sampleRate }` audio (any rate; resampled).
 * Throws typed errors naming the input: AudioError (unreadable, TOO_SHORT for less than one
 * encoder frame of audio, SILENT for all-zero samples), ConfigError (bad options, a mode the
 * bundle does not support), ModelError (missing or broken bundle).
 */
export async function transcribe(audio: Audio | string, options: TranscribeOptions): Promise<TranscriptionResult> {
  const { model: modelOrDir, sessionOptions, input: inputName, chunkFrames = 0, ...decoding } = options ?? ({} as TranscribeOptions);
  const decodingOptions = validateDecodingOptions(decoding); // fail fast, before any I/O
  if (typeof modelOrDir !== 'string' && (modelOrDir === undefined || modelOrDir === null || typeof modelOrDir !== 'object'))
    throw new ConfigError('options.model must be a loaded model or a bundle directory', 'model');
  const owned = typeof modelOrDir === 'string';
  const model = owned ? await loadModel(modelOrDir, sessionOptions) : modelOrDir;
  try {
    return await run(model, audio, inputName, chunkFrames, decodingOptions);
  } finally {
    if (owned) await model.dispose();
  }
}

async function run(model: LoadedModel, source: Audio | string, inputName: string | undefined, chunkFrames: number, options: DecodingOptions): Promise<TranscriptionResult> {
  const { frontEnd, normStats, subsampling, attention, vocab } = model.config;
  if (!attention.modes.includes(options.mode))
    throw new ConfigError(`the model supports attention modes ${attention.modes.join(', ')}, not "${options.mode}"`, 'mode');
  const start = performance.now();

  const input = typeof source === 'string' ? source : (inputName ?? '<audio>');
  const audio = await loadAudio(source, input, frontEnd.sampleRate);
  const audioSeconds = audio.samples.length / audio.sampleRate;

  const t0 = performance.now();
  const raw = computeLogMel(audio, frontEnd, input);
  if (raw.frames < subsampling) {
    // The encoder emits one frame per `subsampling` feature frames; less gives nothing to attend to.
    const minMs = ((frontEnd.frameLength + (subsampling - 1) * frontEnd.hopLength) / frontEnd.sampleRate) * 1000;
    throw new AudioError('TOO_SHORT', `${(audioSeconds * 1000).toFixed(1)} ms of audio gives ${raw.frames} feature frames; the model needs ${subsampling} (${minMs} ms)`, input);
  }
  const features = normalise(raw, normStats, `${model.dir}/config.json normStats`);
  const t1 = performance.now();
  const encoded = await model.encoder.encode(features.data, features.frames, chunkFrames);
  const t2 = performance.now();
  const frameSeconds = (subsampling * frontEnd.hopLength) / frontEnd.sampleRate;
  const decoded = await decodeEncoded(model.decoder, encoded, { vocab, frameSeconds, attention }, options);
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
  // All-zero input is a muted or disconnected source, not a quiet room: flag it, do not "transcribe" it.
  if (audio.samples.every((x) => x === 0)) throw new AudioError('SILENT', 'audio is digital silence (every sample is exactly 0)', input);
  return audio;
}
