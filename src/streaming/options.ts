import type { ModeName } from '../attention/index.ts';
import { DEFAULT_DECODING_OPTIONS, validateDecodingOptions } from '../decoding/index.ts';
import { ConfigError } from '../errors.ts';
import { assertKnownKeys } from '../util/knownKeys.ts';
import { stripUndefined } from '../util/stripUndefined.ts';
import type { DecodeResult, TimestampSource } from '../decoding/index.ts';
import { isPartialSource, PARTIAL_SOURCES, type PartialSource } from './partialSource.ts';
import { validateEndpointOptions, type EndpointOptions } from './endpoint.ts';

/** One utterance's decode, with where it starts in the stream. */
export interface DecodedSegment {
  readonly decoded: DecodeResult;
  readonly startSeconds: number;
  /** First feature frame of the stream that the utterance holds (a multiple of the subsampling factor). */
  readonly startFeature: number;
}

/** How a live stream is recognised. One read-only object; defaults in DEFAULT_STREAMING_OPTIONS. */
export interface StreamingOptions {
  /**
   * 'local' (default) emits characters while the person speaks; 'global' attends to the whole
   * utterance, so it can only decode once an endpoint is found.
   */
  readonly mode: ModeName;
  /**
   * Feature frames per encoder call, a multiple of the bundle's subsampling factor.
   * Default 4 (40 ms, one encoder frame): each frame's CTC scores, and so the default partial
   * text, come as soon as its audio has; larger costs fewer calls (16: half the compute) but
   * shows text later (README "Decoding", Streaming).
   */
  readonly chunkFrames: number;
  /**
   * Local window in encoder frames; default: the bundle's attention.left/right for each final's
   * decode. Partial text waits for `right` frames after each character, so without an explicit
   * `right` partials look ahead at most PARTIAL_RIGHT_FRAMES (the finals, decoded once the
   * utterance has ended, keep the bundle's wider window). An explicit `right` is used for both.
   */
  readonly left?: number;
  readonly right?: number;
  /**
   * Beam width of each utterance's final decode. Local partials are greedy whatever the beam (a
   * beam's best hypothesis can change, so its characters could not be shown as found). Finals
   * are decoded once the endpoint has fired, so a wider beam costs finalisation latency only.
   * Default: the offline default (DEFAULT_DECODING_OPTIONS.beam), so a streamed final equals
   * `las transcribe` of the same audio.
   */
  readonly beam: number;
  readonly lengthPenalty: number;
  /**
   * CTC weight of the joint CTC/attention decode (src/decoding/options.ts), as offline. Partial
   * text in local mode never uses it (see partialSource); above 0, each
   * utterance's final text is decoded again at its end with the joint search, so it equals
   * offline decoding of the same audio with the same options. Default: the offline default.
   */
  readonly ctcWeight: number;
  /**
   * Weight of the bundle's language model in each final's decode (shallow fusion, as offline);
   * undefined: the bundle's own weight (config.json lm.weight), 0 without an LM. Partials never
   * use it. Default undefined.
   */
  readonly lmWeight?: number;
  /**
   * Weight of the bundle's word LM in each final's decode, scored at each word's end beside the
   * character LM (as offline, DecodingOptions.wordLmWeight); undefined: the bundle's own
   * (config.json lm.word.weight), 0 without a word LM or with the character LM off. Default undefined.
   */
  readonly wordLmWeight?: number;
  /** The LM's out-of-vocabulary and word penalties in each final's decode (src/decoding/options.ts); undefined: the bundle's. */
  readonly oovPenalty?: number;
  readonly wordPenalty?: number;
  /** The offline output-length cap, per utterance (see src/decoding/options.ts). */
  readonly maxTokensPerFrame: number;
  readonly maxLengthSlack: number;
  /**
   * Local mode: when the decoder emits <eos> before an endpoint, end the utterance there and
   * start the next one right after the frame the attention ended on, instead of ignoring the
   * rest of the speech until the silence endpoint. Default false.
   */
  readonly restartOnEos: boolean;
  /**
   * Local mode: emit partial text while the audio arrives (see partialSource). Offline
   * transcription turns it off, since only the finals count there. Default true.
   */
  readonly partials: boolean;
  /**
   * Local mode with partials: where partial text comes from (src/streaming/partialSource.ts,
   * README "Decoding"): 'attention' (the greedy attention decoder, R frames after each
   * character's audio), 'triggered' (those, then provisionally an attention step over the frames
   * so far for each character the CTC head has spiked on past the decoder's pointer) or 'ctc'
   * (the CTC greedy transcript, at each character's spike).
   * Finals are offline decodes whatever the source. Default 'ctc': the soonest (token lag
   * median 168 / 189 ms on samples/ / validation at the default chunk, against 348 / 368 ms for
   * 'attention'), and never revised.
   */
  readonly partialSource: PartialSource;
  /** Keep each segment's attention matrix for onSegment. Default false. */
  readonly returnAttention: boolean;
  /** Where each final's token and word times come from (src/decoding/options.ts): 'ctc' or 'attention'. Default: the offline default. */
  readonly timestamps: TimestampSource;
  /** Called with each decoded utterance, for callers that assemble a whole-file result. */
  readonly onSegment?: (segment: DecodedSegment) => void;
  readonly endpoint: EndpointOptions;
  /** Names the stream in errors. Default "<stream>". */
  readonly input: string;
}

export type StreamingOptionsInput = Partial<Omit<StreamingOptions, 'endpoint'>> & { readonly endpoint?: Partial<EndpointOptions> };

export const DEFAULT_STREAMING_OPTIONS: Omit<StreamingOptions, 'endpoint'> = Object.freeze({
  mode: 'local',
  chunkFrames: 4,
  beam: DEFAULT_DECODING_OPTIONS.beam,
  lengthPenalty: DEFAULT_DECODING_OPTIONS.lengthPenalty,
  ctcWeight: DEFAULT_DECODING_OPTIONS.ctcWeight,
  maxTokensPerFrame: DEFAULT_DECODING_OPTIONS.maxTokensPerFrame,
  maxLengthSlack: DEFAULT_DECODING_OPTIONS.maxLengthSlack,
  restartOnEos: false,
  partials: true,
  partialSource: 'ctc',
  returnAttention: false,
  timestamps: DEFAULT_DECODING_OPTIONS.timestamps,
  input: '<stream>',
});

/** Every key of StreamingOptions; validateStreamingOptions refuses any other. */
export const STREAMING_OPTION_KEYS = [
  'mode', 'chunkFrames', 'left', 'right', 'beam', 'lengthPenalty', 'ctcWeight', 'lmWeight', 'wordLmWeight', 'oovPenalty', 'wordPenalty', 'maxTokensPerFrame', 'maxLengthSlack',
  'restartOnEos', 'partials', 'partialSource', 'returnAttention', 'timestamps', 'onSegment', 'endpoint', 'input',
] as const satisfies readonly (keyof StreamingOptions)[];
/** A key added to StreamingOptions but not to the list fails to type-check here. */
export type UnlistedStreamingOption = Exclude<keyof StreamingOptions, (typeof STREAMING_OPTION_KEYS)[number]>;
const everyKeyListed: [UnlistedStreamingOption] extends [never] ? true : never = true;
void everyKeyListed;

/** The most feature frames (10 s) one encoder call may take. */
/**
 * The look-ahead of local partial text when the caller gives no `right`: 6 encoder frames
 * (240 ms). A wider window decodes better once the utterance is whole (bundle attention.right,
 * chosen on validation), but every partial character would wait for it.
 */
export const PARTIAL_RIGHT_FRAMES = 6;

/** The local window that partial text steps with: the caller's `right`, else the bundle's capped at PARTIAL_RIGHT_FRAMES. */
export function partialWindow(o: Pick<StreamingOptions, 'left' | 'right'>, bundle: { readonly left: number; readonly right: number }): { left: number; right: number } {
  return { left: o.left ?? bundle.left, right: o.right ?? Math.min(bundle.right, PARTIAL_RIGHT_FRAMES) };
}

export const MAX_CHUNK_FRAMES = 1000;

/** Fills defaults and throws ConfigError naming the bad option. Bundle-dependent checks happen when the recognizer is created. */
export function validateStreamingOptions(options: StreamingOptionsInput = {}): StreamingOptions {
  assertKnownKeys(options, STREAMING_OPTION_KEYS, 'streaming');
  const { endpoint, ...rest } = options;
  const o: StreamingOptions = { ...DEFAULT_STREAMING_OPTIONS, ...stripUndefined(rest), endpoint: validateEndpointOptions(endpoint ?? {}) };
  const bad = (name: string, message: string): never => {
    throw new ConfigError(message, name);
  };
  // The fields a stream shares with offline decoding are checked by the one decoding validator.
  const { mode, beam, left, right, lengthPenalty, ctcWeight, lmWeight, wordLmWeight, oovPenalty, wordPenalty, maxTokensPerFrame, maxLengthSlack, returnAttention, timestamps } = o;
  validateDecodingOptions({ mode, beam, left, right, lengthPenalty, ctcWeight, lmWeight, wordLmWeight, oovPenalty, wordPenalty, maxTokensPerFrame, maxLengthSlack, returnAttention, timestamps });
  if (!(Number.isInteger(o.chunkFrames) && o.chunkFrames > 0 && o.chunkFrames <= MAX_CHUNK_FRAMES)) bad('chunkFrames', `chunkFrames must be an integer in 1..${MAX_CHUNK_FRAMES}, got ${String(o.chunkFrames)}`);
  if (typeof o.restartOnEos !== 'boolean') bad('restartOnEos', `restartOnEos must be true or false, got ${String(o.restartOnEos)}`);
  if (typeof o.partials !== 'boolean') bad('partials', `partials must be true or false, got ${String(o.partials)}`);
  if (!isPartialSource(o.partialSource)) bad('partialSource', `partialSource must be one of ${PARTIAL_SOURCES.join(', ')}, got ${JSON.stringify(o.partialSource)}`);
  if (o.restartOnEos && !(o.mode === 'local' && o.partials)) bad('restartOnEos', 'restartOnEos ends an utterance on the partial decoder\'s <eos>: it needs mode "local" with partials');
  if (o.onSegment !== undefined && typeof o.onSegment !== 'function') bad('onSegment', 'onSegment must be a function');
  if (typeof o.input !== 'string') bad('input', 'input must be a string');
  return Object.freeze(o);
}
