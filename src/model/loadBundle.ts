import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { LasError, ModelError } from '../errors.ts';
import { DECODER_IO, ENCODER_IO, parseBundleConfig, type BundleConfig, type GraphSpec, type TensorSpec } from './bundleConfig.ts';
import { bundleFacts, type BundleFacts } from './bundleFacts.ts';
import { loadCharLm, parseLmDescription, type CharLm, type LmDescription } from './charLm.ts';
import { DecoderStep } from './decoderStep.ts';
import { loadWordLm, type WordLm } from './wordLm.ts';
import { Encoder } from './encoder.ts';
import { toOrtSessionOptions, validateSessionOptions, type SessionOptions } from './sessionOptions.ts';
import { product } from './tensors.ts';

/** A bundle loaded and checked: config, both graphs, and what a model card shows. */
export interface LoadedModel {
  readonly dir: string;
  readonly config: BundleConfig;
  /** What follows from config.json (frame duration, subsampling, modes...), computed once here. */
  readonly facts: BundleFacts;
  readonly sessionOptions: SessionOptions;
  /** The precision of each graph as loaded (see SessionOptions.precision). */
  readonly precision: { readonly encoder: GraphPrecision; readonly decoder: GraphPrecision };
  readonly encoder: Encoder;
  readonly decoder: DecoderStep;
  /** The language model for shallow fusion, when config.json has an `lm` field (src/model/charLm.ts). */
  readonly lm?: CharLm;
  /** The word LM scored at word ends, when config.json's `lm` has a `word` field (src/model/wordLm.ts). */
  readonly wordLm?: WordLm;
  readonly card: ModelCard;
  /** Releases both ONNX sessions; the model is unusable afterwards. */
  dispose(): Promise<void>;
}

export interface ModelCard {
  readonly name: string;
  readonly dir: string;
  readonly vocabSize: number;
  readonly subsampling: number;
  readonly attention: BundleConfig['attention'];
  readonly dims: { readonly featureDim: number; readonly memoryDim: number; readonly keyDim: number; readonly decoderStateDim: number };
  readonly encoderStates: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** config.json's `lm` field (kind, order, file, training text, default weight), when the bundle has an LM. */
  readonly lm?: LmDescription;
  readonly extra: Readonly<Record<string, unknown>>;
}

type Metadata = ort.InferenceSession.ValueMetadata;
export type GraphPrecision = 'int8' | 'float32';

/** The file of `spec` to load under `precision`, and its precision. */
function graphFile(spec: GraphSpec, precision: SessionOptions['precision']): { file: string; precision: GraphPrecision } {
  return precision !== 'float32' && spec.int8File !== undefined ? { file: spec.int8File, precision: 'int8' } : { file: spec.file, precision: 'float32' };
}

/**
 * Loads `models/<name>/`: config.json plus the two graphs. Errors name the offending path:
 * MODEL_MISSING (no dir or file), MODEL_CORRUPT (unparsable JSON or ONNX), MODEL_MISMATCH
 * (config and graphs disagree with each other or with docs/contracts.md section 4). Both graphs
 * are also run once on a minimal input, so a bundle that loads is one that runs.
 */
export async function loadBundle(dir: string, options: Partial<SessionOptions> = {}): Promise<LoadedModel> {
  const sessionOptions = validateSessionOptions(options);
  const root = resolve(dir);
  await expectPath(root, 'directory', dir);
  const configPath = join(root, 'config.json');
  await expectPath(configPath, 'file', configPath);
  const config = parseBundleConfig(await readFile(configPath, 'utf8'), configPath);
  const lmDescription = parseLmDescription(config.extra.lm, configPath);
  const lm = lmDescription === undefined ? undefined : await loadCharLm(root, lmDescription, config.vocab.tokens.filter((_, id) => config.vocab.isText(id)));
  const wordLm = lmDescription?.word === undefined ? undefined : await loadWordLm(root, lmDescription.word);

  const opened: ort.InferenceSession[] = [];
  try {
    const encoderGraph = graphFile(config.encoder, sessionOptions.precision);
    const decoderGraph = graphFile(config.decoder, sessionOptions.precision);
    if (sessionOptions.precision === 'int8' && encoderGraph.precision !== 'int8' && decoderGraph.precision !== 'int8')
      throw new ModelError('MODEL_MISSING', 'precision int8 asked for, but config.json names no int8 graph (encoder.int8File, decoder.int8File)', configPath);
    const encoderPath = join(root, encoderGraph.file);
    const decoderPath = join(root, decoderGraph.file);
    const encoderSession = await openSession(encoderPath, sessionOptions);
    opened.push(encoderSession);
    const decoderSession = await openSession(decoderPath, sessionOptions);
    opened.push(decoderSession);

    const stateNames = config.encoder.states.map((s) => s.input);
    checkNames(encoderSession, config.encoder, [ENCODER_IO.feats, ...stateNames], [ENCODER_IO.memory, ENCODER_IO.keys, ENCODER_IO.ctcLogits, ...config.encoder.states.map((s) => s.output)], encoderPath);
    // A decoder step gives its four results as one packed output "step", or (bundles exported before it) as four.
    const packed = decoderSession.outputNames.includes(DECODER_IO.step);
    const decoderOutputs = packed ? [DECODER_IO.step] : [DECODER_IO.logits, DECODER_IO.hOut, DECODER_IO.cOut, DECODER_IO.attn];
    checkNames(decoderSession, config.decoder, [DECODER_IO.token, DECODER_IO.h, DECODER_IO.c, DECODER_IO.keys, DECODER_IO.memory, DECODER_IO.mask], decoderOutputs, decoderPath);

    const encIn = metadataByName(encoderSession.inputMetadata);
    const decIn = metadataByName(decoderSession.inputMetadata);
    const featDim = lastDim(encIn.get(ENCODER_IO.feats));
    if (featDim !== undefined && featDim !== config.frontEnd.nMels)
      throw new ModelError('MODEL_MISMATCH', `encoder input "feats" has ${featDim} features per frame, frontEnd.nMels is ${config.frontEnd.nMels}`, encoderPath);
    const tokenType = tensorType(decIn.get(DECODER_IO.token));
    if (tokenType !== undefined && tokenType !== 'int64') throw new ModelError('MODEL_MISMATCH', `decoder input "token" is ${tokenType}, expected int64`, decoderPath);
    const states = config.encoder.states.map((s) => {
      const graphShape = shapeOf(encIn.get(s.input));
      if (graphShape !== undefined && (graphShape.length !== s.shape.length || graphShape.some((d, i) => typeof d === 'number' && d !== s.shape[i])))
        throw new ModelError('MODEL_MISMATCH', `state "${s.input}" has initial shape [${s.shape.join(', ')}] in config.json, the graph takes [${graphShape.join(', ')}]`, encoderPath);
      const type = tensorType(encIn.get(s.input)) ?? 'float32';
      if (type !== 'float32' && type !== 'int64') throw new ModelError('MODEL_MISMATCH', `state "${s.input}" is ${type}; only float32 and int64 states are supported`, encoderPath);
      return { ...s, type: type as 'float32' | 'int64' };
    });

    // The encoder's output widths, measured on one subsampled frame of zeros.
    const probe = await wrapRun(encoderPath, () => probeEncoder(encoderSession, config, states));
    const vocabSize = config.vocab.size;
    if (probe.vocab !== vocabSize) throw new ModelError('MODEL_MISMATCH', `ctc_logits has ${probe.vocab} classes, vocab has ${vocabSize}`, encoderPath);
    const stateDim = lastDim(decIn.get(DECODER_IO.h)) ?? specLastDim(config.decoder.inputs, DECODER_IO.h);
    if (stateDim === undefined) throw new ModelError('MODEL_MISMATCH', 'cannot tell the decoder state size: input "h" has no fixed last dimension in the graph or config.json', decoderPath);
    for (const [name, width] of [[DECODER_IO.keys, probe.keys], [DECODER_IO.memory, probe.memory]] as const) {
      const d = lastDim(decIn.get(name));
      if (d !== undefined && d !== width) throw new ModelError('MODEL_MISMATCH', `decoder input "${name}" has width ${d}, the encoder produces ${width}`, decoderPath);
    }

    const declared: [string, number | undefined, number, string][] = [
      ['encoder.hidden', config.encoder.hidden, probe.memory, encoderPath],
      ['encoder.attentionDim', config.encoder.attentionDim, probe.keys, encoderPath],
      ['decoder.hidden', config.decoder.hidden, stateDim, decoderPath],
    ];
    for (const [field, value, actual, path] of declared)
      if (value !== undefined && value !== actual) throw new ModelError('MODEL_MISMATCH', `config.json ${field} is ${value}, the graph's is ${actual}`, path);

    const encoder = new Encoder(encoderSession, states, { featureDim: config.frontEnd.nMels, memoryDim: probe.memory, keyDim: probe.keys, vocabSize, subsampling: config.subsampling }, encoderPath);
    const decoder = new DecoderStep(decoderSession, { stateDim, keyDim: probe.keys, memoryDim: probe.memory, vocabSize }, decoderPath, packed);
    await wrapRun(decoderPath, () => decoder.run(decoder.createBuffers(1, 1), 1, 1));

    const card: ModelCard = Object.freeze({
      name: typeof config.extra.name === 'string' ? config.extra.name : basename(root),
      dir: root,
      vocabSize,
      subsampling: config.subsampling,
      attention: config.attention,
      dims: Object.freeze({ featureDim: config.frontEnd.nMels, memoryDim: probe.memory, keyDim: probe.keys, decoderStateDim: stateDim }),
      encoderStates: Object.freeze(states.map((s) => Object.freeze({ name: s.input, shape: s.shape }))),
      ...(lmDescription !== undefined ? { lm: lmDescription } : {}),
      extra: config.extra,
    });
    let disposed = false;
    return Object.freeze({
      dir: root,
      config,
      facts: bundleFacts(config),
      sessionOptions,
      precision: Object.freeze({ encoder: encoderGraph.precision, decoder: decoderGraph.precision }),
      encoder,
      decoder,
      ...(lm !== undefined ? { lm } : {}),
      ...(wordLm !== undefined ? { wordLm } : {}),
      card,
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        await Promise.all([encoder.dispose(), decoder.dispose()]);
      },
    });
  } catch (error) {
    await Promise.allSettled(opened.map((s) => s.release()));
    throw error;
  }
}

async function expectPath(path: string, kind: 'file' | 'directory', input: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new ModelError('MODEL_MISSING', `model ${kind} not found`, input);
  if (kind === 'directory' ? !info.isDirectory() : !info.isFile()) throw new ModelError('MODEL_MISSING', `expected a ${kind}`, input);
}

async function openSession(path: string, options: SessionOptions): Promise<ort.InferenceSession> {
  await expectPath(path, 'file', path);
  try {
    return await ort.InferenceSession.create(path, toOrtSessionOptions(options));
  } catch (cause) {
    throw new ModelError('MODEL_CORRUPT', `not a loadable ONNX graph (${firstLine(cause)})`, path, { cause });
  }
}

/** The graph's names must be exactly the contract's inputs and include its outputs; config.json must agree. */
function checkNames(session: ort.InferenceSession, spec: GraphSpec, inputs: readonly string[], outputs: readonly string[], path: string): void {
  const fail = (message: string): never => {
    throw new ModelError('MODEL_MISMATCH', message, path);
  };
  const graphIn = new Set(session.inputNames);
  const graphOut = new Set(session.outputNames);
  for (const name of inputs) if (!graphIn.has(name)) fail(`graph has no input "${name}" (it has: ${session.inputNames.join(', ')})`);
  for (const name of graphIn) if (!inputs.includes(name)) fail(`graph input "${name}" is not fed by config.json or the contract`);
  for (const name of outputs) if (!graphOut.has(name)) fail(`graph has no output "${name}" (it has: ${session.outputNames.join(', ')})`);
  for (const t of spec.inputs) if (!graphIn.has(t.name)) fail(`config.json lists input "${t.name}", the graph has no such input`);
  for (const t of spec.outputs) if (!graphOut.has(t.name)) fail(`config.json lists output "${t.name}", the graph has no such output`);
  // Fixed dimensions recorded in config.json must agree with the graph's own.
  const meta = new Map([...metadataByName(session.inputMetadata), ...metadataByName(session.outputMetadata)]);
  for (const t of [...spec.inputs, ...spec.outputs]) {
    const type = tensorType(meta.get(t.name));
    if (t.dtype !== undefined && type !== undefined && t.dtype !== type) fail(`"${t.name}" is ${type} in the graph, ${t.dtype} in config.json`);
    const shape = shapeOf(meta.get(t.name));
    if (t.shape === undefined || shape === undefined) continue;
    if (shape.length !== t.shape.length) fail(`"${t.name}" has rank ${shape.length} in the graph, ${t.shape.length} in config.json`);
    t.shape.forEach((d, i) => {
      if (typeof d === 'number' && typeof shape[i] === 'number' && d !== shape[i]) fail(`"${t.name}" dimension ${i} is ${shape[i]} in the graph, ${d} in config.json`);
    });
  }
}

async function probeEncoder(session: ort.InferenceSession, config: BundleConfig, states: readonly { input: string; shape: readonly number[]; type: 'float32' | 'int64' }[]) {
  const frames = config.subsampling;
  const feeds: Record<string, ort.Tensor> = { [ENCODER_IO.feats]: new ort.Tensor('float32', new Float32Array(frames * config.frontEnd.nMels), [1, frames, config.frontEnd.nMels]) };
  for (const s of states) feeds[s.input] = s.type === 'int64' ? new ort.Tensor('int64', new BigInt64Array(product(s.shape)), s.shape) : new ort.Tensor('float32', new Float32Array(product(s.shape)), s.shape);
  const out = await session.run(feeds);
  const width = (name: string) => {
    const dims = out[name].dims; // [1, T', width]
    if (dims.length !== 3 || dims[0] !== 1 || dims[1] !== 1)
      throw new ModelError('MODEL_MISMATCH', `"${name}" has shape [${dims.join(', ')}] for ${frames} input frames, expected [1, 1, width]`);
    return dims[2];
  };
  return { memory: width(ENCODER_IO.memory), keys: width(ENCODER_IO.keys), vocab: width(ENCODER_IO.ctcLogits) };
}

/** ORT errors during the probe runs mean the graph does not fit the contract. */
async function wrapRun<T>(path: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (cause) {
    if (cause instanceof LasError) throw new ModelError('MODEL_MISMATCH', cause.message, path, { cause });
    throw new ModelError('MODEL_MISMATCH', `graph fails on a minimal contract input (${firstLine(cause)})`, path, { cause });
  }
}

function metadataByName(list: readonly Metadata[] | undefined): Map<string, Metadata> {
  return new Map((list ?? []).map((m) => [m.name, m]));
}
function shapeOf(m: Metadata | undefined): readonly (number | string)[] | undefined {
  return m !== undefined && m.isTensor && m.shape.length > 0 ? m.shape : undefined;
}
function lastDim(m: Metadata | undefined): number | undefined {
  const d = shapeOf(m)?.at(-1);
  return typeof d === 'number' && d > 0 ? d : undefined;
}
function specLastDim(specs: readonly TensorSpec[], name: string): number | undefined {
  const d = specs.find((t) => t.name === name)?.shape?.at(-1);
  return typeof d === 'number' && d > 0 ? d : undefined;
}
function tensorType(m: Metadata | undefined): string | undefined {
  return m !== undefined && m.isTensor ? m.type : undefined;
}
function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
