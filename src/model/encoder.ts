import ort from 'onnxruntime-node';
import { ConfigError, ModelError } from '../errors.ts';
import { ENCODER_IO, type StateSpec } from './bundleConfig.ts';
import { disposeAll, floatOutput, product, type StateData } from './tensors.ts';

/** One recurrent state tensor's value; states travel between chunks as immutable values. */
export interface StateTensor {
  readonly data: StateData;
  readonly dims: readonly number[];
}
export type EncoderState = readonly StateTensor[]; // in the order of the bundle's state specs

/** Encoder outputs for a run of frames, row-major. */
export interface EncoderOutput {
  readonly frames: number; // T' encoder frames
  readonly memory: Float32Array; // [T', H] attention values
  readonly keys: Float32Array; // [T', A] attention key projection
  readonly ctcLogits: Float32Array; // [T', V]
}

export interface EncoderDims {
  readonly featureDim: number; // 80
  readonly memoryDim: number; // H
  readonly keyDim: number; // A
  readonly vocabSize: number; // V
  readonly subsampling: number; // 4
}

export interface EncoderChunkOptions {
  /**
   * The last chunk of the utterance. Only the last chunk may hold a frame count that is not a
   * multiple of the subsampling factor. Its trailing T % subsampling frames yield no output
   * frame: training masks that partial frame out (enc_lens = floor(T / 4) in
   * training/las/model.py), so the model never learnt to attend to it. Because the encoder is
   * causal, this equals padding the chunk and dropping the padded output frame, without
   * computing it.
   */
  readonly final?: boolean;
}

/**
 * The streaming encoder graph: a chunk of normalised features [T, 80] and the carried state in,
 * memory / keys / ctc logits for T / subsampling frames and the new state out. Running the
 * utterance in one call equals running it chunk by chunk (docs/contracts.md section 4).
 */
export class Encoder {
  readonly #session: ort.InferenceSession;
  readonly #states: readonly (StateSpec & { type: 'float32' | 'int64' })[];
  readonly #path: string;
  readonly dims: EncoderDims;

  constructor(session: ort.InferenceSession, states: readonly (StateSpec & { type: 'float32' | 'int64' })[], dims: EncoderDims, path: string) {
    this.#session = session;
    this.#states = states;
    this.dims = dims;
    this.#path = path;
  }

  /** Zeros of each state's initial shape: the state at the start of an utterance. */
  initialState(): EncoderState {
    return Object.freeze(
      this.#states.map((s) => Object.freeze({ data: s.type === 'int64' ? new BigInt64Array(product(s.shape)) : new Float32Array(product(s.shape)), dims: s.shape })),
    );
  }

  /** Runs one chunk. `features` holds `frames` rows of featureDim values. */
  async runChunk(features: Float32Array, frames: number, state: EncoderState, options: EncoderChunkOptions = {}): Promise<{ output: EncoderOutput; state: EncoderState }> {
    const { featureDim, subsampling, memoryDim, keyDim, vocabSize } = this.dims;
    if (!(Number.isInteger(frames) && frames > 0)) throw new ConfigError(`chunk needs a positive whole number of frames, got ${frames}`, 'features');
    if (features.length < frames * featureDim) throw new ConfigError(`chunk of ${frames} frames needs ${frames * featureDim} values, got ${features.length}`, 'features');
    if (state.length !== this.#states.length) throw new ConfigError(`encoder state has ${state.length} tensors, the graph needs ${this.#states.length}`, 'state');
    const remainder = frames % subsampling;
    if (remainder !== 0 && !options.final)
      throw new ConfigError(`only the final chunk may have a frame count that is not a multiple of ${subsampling}, got ${frames}`, 'features');
    const usedFrames = frames - remainder;
    const outFrames = usedFrames / subsampling;
    if (outFrames === 0) return { output: Object.freeze({ frames: 0, memory: new Float32Array(0), keys: new Float32Array(0), ctcLogits: new Float32Array(0) }), state };
    const feats = features.length === usedFrames * featureDim ? features : features.subarray(0, usedFrames * featureDim); // [usedFrames, featureDim]

    const feeds: Record<string, ort.Tensor> = { [ENCODER_IO.feats]: new ort.Tensor('float32', feats, [1, usedFrames, featureDim]) };
    this.#states.forEach((spec, i) => {
      const s = state[i];
      feeds[spec.input] = s.data instanceof BigInt64Array ? new ort.Tensor('int64', s.data, s.dims) : new ort.Tensor('float32', s.data, s.dims);
    });
    let outputs: ort.InferenceSession.ReturnType | undefined;
    try {
      outputs = await this.#session.run(feeds);
      const memory = floatOutput(outputs, ENCODER_IO.memory, [1, outFrames, memoryDim], this.#path).data; // [1, T', H]
      const keys = floatOutput(outputs, ENCODER_IO.keys, [1, outFrames, keyDim], this.#path).data; // [1, T', A]
      const ctcLogits = floatOutput(outputs, ENCODER_IO.ctcLogits, [1, outFrames, vocabSize], this.#path).data; // [1, T', V]
      const next = this.#states.map((spec) => {
        const v = outputs![spec.output];
        if (v === undefined) throw new ModelError('MODEL_MISMATCH', `graph produced no state output "${spec.output}"`, this.#path);
        if (v.type !== spec.type) throw new ModelError('MODEL_MISMATCH', `state "${spec.output}" is ${v.type}, expected ${spec.type}`, this.#path);
        return Object.freeze({ data: v.data as StateData, dims: Object.freeze([...v.dims]) });
      });
      return { output: Object.freeze({ frames: outFrames, memory, keys, ctcLogits }), state: Object.freeze(next) };
    } finally {
      // Our input tensors only wrap our arrays; outputs are plain CPU arrays we keep the data of.
      disposeAll(Object.values(feeds));
    }
  }

  /**
   * Whole utterance: `frames` feature rows, in chunks of `chunkFrames` (a multiple of the
   * subsampling factor; default: everything in one call), outputs concatenated.
   */
  async encode(features: Float32Array, frames: number, chunkFrames = 0): Promise<EncoderOutput> {
    const { featureDim, subsampling, memoryDim, keyDim, vocabSize } = this.dims;
    if (chunkFrames !== 0 && !(Number.isInteger(chunkFrames) && chunkFrames > 0 && chunkFrames % subsampling === 0))
      throw new ConfigError(`chunkFrames must be a positive multiple of ${subsampling}, got ${chunkFrames}`, 'chunkFrames');
    if (!(Number.isInteger(frames) && frames >= subsampling))
      throw new ConfigError(`an utterance needs at least ${subsampling} feature frames (one encoder frame), got ${frames}`, 'features');
    const step = chunkFrames === 0 ? frames : chunkFrames;
    let state = this.initialState();
    const parts: EncoderOutput[] = [];
    for (let start = 0; start < frames; start += step) {
      const n = Math.min(step, frames - start);
      const result = await this.runChunk(features.subarray(start * featureDim, (start + n) * featureDim), n, state, { final: start + n >= frames });
      parts.push(result.output);
      state = result.state;
    }
    if (parts.length === 1) return parts[0];
    const total = parts.reduce((a, p) => a + p.frames, 0);
    const concat = (pick: (p: EncoderOutput) => Float32Array, width: number) => {
      const out = new Float32Array(total * width);
      let row = 0;
      for (const p of parts) {
        out.set(pick(p), row * width);
        row += p.frames;
      }
      return out;
    };
    return Object.freeze({ frames: total, memory: concat((p) => p.memory, memoryDim), keys: concat((p) => p.keys, keyDim), ctcLogits: concat((p) => p.ctcLogits, vocabSize) });
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }
}
