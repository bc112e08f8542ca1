import { isModeName, MODE_NAMES, type ModeName } from '../attention/index.ts';
import { DEFAULT_DECODING_OPTIONS, MAX_BEAM } from '../decoding/index.ts';
import { ConfigError } from '../errors.ts';
import { stripUndefined } from '../model/sessionOptions.ts';
import { validateEndpointOptions, type EndpointOptions } from './endpoint.ts';

/** How a live stream is recognised. One read-only object; defaults in DEFAULT_STREAMING_OPTIONS. */
export interface StreamingOptions {
  /**
   * 'local' (default) emits characters while the person speaks; 'global' attends to the whole
   * utterance, so it can only decode once an endpoint is found.
   */
  readonly mode: ModeName;
  /**
   * Feature frames per encoder call, a multiple of the bundle's subsampling factor.
   * Default 16 (160 ms): smaller cuts latency, larger costs fewer calls.
   */
  readonly chunkFrames: number;
  /** Local window in encoder frames; default: the bundle's attention.left/right. */
  readonly left?: number;
  readonly right?: number;
  /** Beam width for global mode's decode at each endpoint. Local streaming is greedy: 1 only. Default 1. */
  readonly beam: number;
  readonly lengthPenalty: number;
  /** The offline output-length cap, per utterance (see src/decoding/options.ts). */
  readonly maxTokensPerFrame: number;
  readonly maxLengthSlack: number;
  /**
   * Local mode: when the decoder emits <eos> before an endpoint, end the utterance there and
   * start the next one right after the frame the attention ended on, instead of ignoring the
   * rest of the speech until the silence endpoint. Default true.
   */
  readonly restartOnEos: boolean;
  readonly endpoint: EndpointOptions;
  /** Names the stream in errors. Default "<stream>". */
  readonly input: string;
}

export type StreamingOptionsInput = Partial<Omit<StreamingOptions, 'endpoint'>> & { readonly endpoint?: Partial<EndpointOptions> };

export const DEFAULT_STREAMING_OPTIONS: Omit<StreamingOptions, 'endpoint'> = Object.freeze({
  mode: 'local',
  chunkFrames: 16,
  beam: 1,
  lengthPenalty: DEFAULT_DECODING_OPTIONS.lengthPenalty,
  maxTokensPerFrame: DEFAULT_DECODING_OPTIONS.maxTokensPerFrame,
  maxLengthSlack: DEFAULT_DECODING_OPTIONS.maxLengthSlack,
  restartOnEos: true,
  input: '<stream>',
});

/** Fills defaults and throws ConfigError naming the bad option. Bundle-dependent checks happen when the recognizer is created. */
export function validateStreamingOptions(options: StreamingOptionsInput = {}): StreamingOptions {
  const { endpoint, ...rest } = options;
  const o: StreamingOptions = { ...DEFAULT_STREAMING_OPTIONS, ...stripUndefined(rest), endpoint: validateEndpointOptions(endpoint ?? {}) };
  const bad = (name: string, message: string): never => {
    throw new ConfigError(message, name);
  };
  if (!isModeName(o.mode)) bad('mode', `unknown attention mode ${JSON.stringify(o.mode)} (valid: ${MODE_NAMES.join(', ')})`);
  if (!(Number.isInteger(o.chunkFrames) && o.chunkFrames > 0 && o.chunkFrames <= 1000)) bad('chunkFrames', `chunkFrames must be an integer in 1..1000, got ${String(o.chunkFrames)}`);
  if (!(Number.isInteger(o.beam) && o.beam >= 1 && o.beam <= MAX_BEAM)) bad('beam', `beam must be an integer in 1..${MAX_BEAM}, got ${String(o.beam)}`);
  if (o.mode === 'local' && o.beam !== 1) bad('beam', `streaming local decoding is greedy (beam 1): a beam's best hypothesis can change, so its characters could not be emitted as they are found; got beam ${o.beam}`);
  for (const key of ['left', 'right'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (o.mode !== 'local') bad(key, `${key} sets the local attention window; it has no meaning in mode "${o.mode}"`);
    if (!(Number.isInteger(v) && v >= 0)) bad(key, `${key} must be an integer >= 0 (encoder frames), got ${String(v)}`);
  }
  if (!(Number.isFinite(o.lengthPenalty) && o.lengthPenalty >= 0)) bad('lengthPenalty', `lengthPenalty must be a finite number >= 0, got ${String(o.lengthPenalty)}`);
  if (!(Number.isFinite(o.maxTokensPerFrame) && o.maxTokensPerFrame > 0)) bad('maxTokensPerFrame', `maxTokensPerFrame must be a finite number > 0, got ${String(o.maxTokensPerFrame)}`);
  if (!(Number.isInteger(o.maxLengthSlack) && o.maxLengthSlack >= 0)) bad('maxLengthSlack', `maxLengthSlack must be an integer >= 0, got ${String(o.maxLengthSlack)}`);
  if (typeof o.restartOnEos !== 'boolean') bad('restartOnEos', `restartOnEos must be true or false, got ${String(o.restartOnEos)}`);
  if (typeof o.input !== 'string') bad('input', 'input must be a string');
  return Object.freeze(o);
}
