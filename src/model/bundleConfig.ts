import { ConfigError, LasError, ModelError } from '../errors.ts';
import { validateFrontEnd, type FrontEndConfig } from '../features/config.ts';
import { validateNormStats } from '../features/normalise.ts';
import { isModeName, type ModeName } from './modeNames.ts';
import { createVocabulary, type Vocabulary } from './vocab.ts';

/**
 * config.json of a model bundle (docs/contracts.md section 4), checked and normalised.
 * The graph sections are read tolerantly (inputs/outputs as a list of names, a list of
 * `{ name, shape }` or a `{ name: shape }` object) because the bundle is the source of truth;
 * the names are then held against the graphs themselves in loadBundle.ts.
 */

export type Dim = number | string; // a string is a symbolic (dynamic) dimension

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly Dim[] | undefined; // undefined: not recorded in config.json
  readonly dtype: string | undefined; // e.g. 'float32', 'int64'; checked against the graph
}

/** A recurrent state tensor of the encoder, fed back from `output` to `input` between chunks. */
export interface StateSpec {
  readonly input: string;
  readonly output: string;
  readonly shape: readonly number[]; // initial shape, zeros at the start of an utterance
}

export interface GraphSpec {
  readonly file: string;
  /**
   * The same graph with int8 weights (training/las/quantize.py), when the bundle has one; loaded
   * instead of `file` unless the session options ask for float32.
   */
  readonly int8File: string | undefined;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Widths config.json declares (`hidden`, `attentionDim`), held against the graph's. */
  readonly hidden: number | undefined;
  readonly attentionDim: number | undefined;
}

export interface EncoderSpec extends GraphSpec {
  readonly states: readonly StateSpec[];
}

export interface BundleConfig {
  readonly frontEnd: FrontEndConfig;
  readonly normStats: { readonly mean: Float64Array; readonly std: Float64Array };
  readonly vocab: Vocabulary;
  readonly attention: { readonly modes: readonly ModeName[]; readonly left: number; readonly right: number };
  readonly subsampling: number;
  readonly encoder: EncoderSpec;
  readonly decoder: GraphSpec;
  /** Everything else config.json carries (name, training details...), for model cards. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Tensor names fixed by the contract. */
export const ENCODER_IO = { feats: 'feats', memory: 'memory', keys: 'keys', ctcLogits: 'ctc_logits' } as const;
export const DECODER_IO = {
  token: 'token', h: 'h', c: 'c', keys: 'keys', memory: 'memory', mask: 'mask',
  logits: 'logits', hOut: 'h_out', cOut: 'c_out', attn: 'attn',
  /** The packed output: logits, h_out, c_out and attn flattened, one after another (docs/contracts.md section 4). */
  step: 'step',
} as const;
export const STATE_IN_PREFIX = 'state_in_';
export const STATE_OUT_PREFIX = 'state_out_';

/** Major version 1 of the bundle layout; minor additions are read tolerantly. */
const BUNDLE_FORMAT = /^las-bundle\/1(\.\d+)*$/;
const CONTRACT_TOKEN_IDS = { blank: 0, sos: 1, eos: 2 } as const;

const KNOWN_KEYS = new Set(['frontEnd', 'normStats', 'vocab', 'attention', 'subsampling', 'encoder', 'decoder']);

/** Parses config.json text; `path` names the file in every error. */
export function parseBundleConfig(text: string, path: string): BundleConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelError('MODEL_CORRUPT', `config.json is not valid JSON (${(cause as Error).message})`, path, { cause });
  }
  if (!isRecord(json)) throw new ModelError('MODEL_CORRUPT', 'config.json must hold a JSON object', path);
  const fail = (message: string): never => {
    throw new ModelError('MODEL_MISMATCH', message, path);
  };
  for (const key of KNOWN_KEYS) if (!(key in json)) fail(`config.json lacks the required field "${key}"`);

  const frontEnd = rethrowAsModelError(path, 'frontEnd', () => validateFrontEnd(json.frontEnd as FrontEndConfig));
  const stats = json.normStats as { mean: number[]; std: number[] };
  rethrowAsModelError(path, 'normStats', () => validateNormStats(stats, frontEnd.nMels, 'normStats'));

  const attention = isRecord(json.attention) ? json.attention : fail('attention must be an object');
  const modes = Array.isArray(attention.modes) && attention.modes.length > 0 ? attention.modes : fail('attention.modes must be a non-empty array');
  const unknownMode = modes.find((m) => !isModeName(m));
  if (unknownMode !== undefined) fail(`attention.modes lists unknown mode ${JSON.stringify(unknownMode)}`);
  for (const key of ['left', 'right'] as const)
    if (!isNonNegativeInt(attention[key])) fail(`attention.${key} must be a non-negative integer, got ${JSON.stringify(attention[key])}`);

  if (!(isNonNegativeInt(json.subsampling) && json.subsampling >= 1)) fail(`subsampling must be a positive integer, got ${JSON.stringify(json.subsampling)}`);

  if (json.format !== undefined && !(typeof json.format === 'string' && BUNDLE_FORMAT.test(json.format)))
    fail(`unsupported bundle format ${JSON.stringify(json.format)} (this reader understands las-bundle/1)`);
  if (json.tokens !== undefined) {
    const tokens = isRecord(json.tokens) ? json.tokens : fail('tokens must be an object');
    for (const [name, id] of Object.entries(CONTRACT_TOKEN_IDS))
      if (tokens[name] !== undefined && tokens[name] !== id) fail(`tokens.${name} is ${JSON.stringify(tokens[name])}; the contract fixes it at ${id}`);
  }

  const encoderGraph = parseGraph(json.encoder, 'encoder', fail);
  const encoderJson = json.encoder as Record<string, unknown>;
  const states = parseStates(encoderJson.states ?? encoderJson.state, encoderGraph, fail);
  const chunkMultiple = encoderJson.chunkMultiple;
  if (chunkMultiple !== undefined && chunkMultiple !== json.subsampling)
    fail(`encoder.chunkMultiple ${JSON.stringify(chunkMultiple)} differs from subsampling ${json.subsampling}`);

  const extra = Object.fromEntries(Object.entries(json).filter(([k]) => !KNOWN_KEYS.has(k)));
  return Object.freeze({
    frontEnd: Object.freeze({ ...frontEnd }),
    normStats: Object.freeze({ mean: Float64Array.from(stats.mean), std: Float64Array.from(stats.std) }),
    vocab: createVocabulary(json.vocab, path),
    attention: Object.freeze({ modes: Object.freeze(modes as ModeName[]), left: attention.left as number, right: attention.right as number }),
    subsampling: json.subsampling as number,
    encoder: Object.freeze({ ...encoderGraph, states }),
    decoder: parseGraph(json.decoder, 'decoder', fail),
    extra: Object.freeze(extra),
  });
}

function parseGraph(value: unknown, what: string, fail: (m: string) => never): GraphSpec {
  if (!isRecord(value)) return fail(`${what} must be an object`);
  const file = value.file ?? value.path ?? value.onnx;
  if (typeof file !== 'string' || file.length === 0 || file.includes('..')) return fail(`${what}.file must name an ONNX file inside the bundle`);
  const int8File = value.int8File;
  if (int8File !== undefined && (typeof int8File !== 'string' || int8File.length === 0 || int8File.includes('..')))
    return fail(`${what}.int8File must name an ONNX file inside the bundle`);
  const width = (key: 'hidden' | 'attentionDim') => {
    const v = value[key];
    if (v !== undefined && !(isNonNegativeInt(v) && v > 0)) fail(`${what}.${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number | undefined;
  };
  return Object.freeze({
    file,
    int8File,
    inputs: parseTensorList(value.inputs, `${what}.inputs`, fail),
    outputs: parseTensorList(value.outputs, `${what}.outputs`, fail),
    hidden: width('hidden'),
    attentionDim: width('attentionDim'),
  });
}

/** Accepts ["a", ...], [{ name, shape }, ...] or { a: shape, ... }; absent means "ask the graph". */
function parseTensorList(value: unknown, what: string, fail: (m: string) => never): TensorSpec[] {
  if (value === undefined) return [];
  const entries: [unknown, unknown, unknown][] = Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? [v, undefined, undefined] : isRecord(v) ? [v.name, v.shape, v.dtype] : [v, undefined, undefined]))
    : isRecord(value)
      ? Object.entries(value).map(([k, v]) => [k, isRecord(v) ? v.shape : v, isRecord(v) ? v.dtype : undefined])
      : fail(`${what} must be a list or an object`);
  return entries.map(([name, shape, dtype]) => {
    if (typeof name !== 'string' || name.length === 0) return fail(`${what} has an entry without a name`);
    if (shape !== undefined && !(Array.isArray(shape) && shape.every((d) => typeof d === 'string' || isNonNegativeInt(d))))
      return fail(`${what}.${name} has a malformed shape ${JSON.stringify(shape)}`);
    if (dtype !== undefined && typeof dtype !== 'string') return fail(`${what}.${name} has a malformed dtype ${JSON.stringify(dtype)}`);
    return Object.freeze({ name, shape: shape === undefined ? undefined : Object.freeze([...(shape as Dim[])]), dtype });
  });
}

/**
 * State tensors: `state` (or `states`) may be [{ name|input, output?, shape }] or { name: shape }; when
 * absent, the encoder inputs named state_in_* are the states. The output defaults to the
 * matching state_out_* name.
 */
function parseStates(value: unknown, graph: GraphSpec, fail: (m: string) => never): StateSpec[] {
  let entries: [unknown, unknown, unknown][];
  if (value === undefined) entries = graph.inputs.filter((t) => t.name.startsWith(STATE_IN_PREFIX)).map((t) => [t.name, undefined, t.shape]);
  else if (Array.isArray(value))
    entries = value.map((v) => {
      if (isRecord(v) && v.init !== undefined && v.init !== 'zeros') fail(`encoder state ${String(v.input ?? v.name)} has init ${JSON.stringify(v.init)}; only "zeros" is supported`);
      return isRecord(v) ? [v.input ?? v.name, v.output, v.shape ?? v.initialShape] : [v, undefined, undefined];
    });
  else if (isRecord(value)) entries = Object.entries(value).map(([k, v]) => [k, isRecord(v) ? v.output : undefined, isRecord(v) ? (v.shape ?? v.initialShape) : v]);
  else return fail('encoder.state must be a list or an object');
  return entries.map(([input, output, shape]) => {
    if (typeof input !== 'string') return fail('encoder.states has an entry without a name');
    const out = output ?? (input.startsWith(STATE_IN_PREFIX) ? STATE_OUT_PREFIX + input.slice(STATE_IN_PREFIX.length) : undefined);
    if (typeof out !== 'string') return fail(`encoder state ${input} needs an output name`);
    if (!(Array.isArray(shape) && shape.every(isNonNegativeInt))) return fail(`encoder state ${input} needs a numeric initial shape, got ${JSON.stringify(shape)}`);
    return Object.freeze({ input, output: out, shape: Object.freeze([...(shape as number[])]) });
  });
}

function rethrowAsModelError<T>(path: string, field: string, f: () => T): T {
  try {
    return f();
  } catch (cause) {
    if (cause instanceof ConfigError || cause instanceof TypeError || cause instanceof LasError)
      throw new ModelError('MODEL_MISMATCH', `${field}: ${(cause as Error).message}`, path, { cause });
    throw cause;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
