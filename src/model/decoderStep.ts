import ort from 'onnxruntime-node';
import { ConfigError } from '../errors.ts';
import { DECODER_IO } from './bundleConfig.ts';
import { allFinite, assertNoNaN, floatOutput } from './tensors.ts';

export interface DecoderDims {
  readonly stateDim: number; // D, LSTM h and c
  readonly keyDim: number; // A
  readonly memoryDim: number; // H
  readonly vocabSize: number; // V
}

/**
 * Input arrays for one batched step, allocated once per utterance and refilled in place: the
 * step runs once per output token, so allocation and copying here is the TypeScript overhead
 * that bounds decoding speed. For a call with `batch` rows of `width` frames the first
 * batch * width * A values of `keys` are read as [batch, width, A], and so on.
 */
export interface StepBuffers {
  readonly maxBatch: number;
  readonly maxWidth: number;
  readonly tokens: BigInt64Array; // [maxBatch]
  readonly h: Float32Array; // [maxBatch, D]
  readonly c: Float32Array; // [maxBatch, D]
  readonly keys: Float32Array; // [maxBatch * maxWidth * A]
  readonly memory: Float32Array; // [maxBatch * maxWidth * H]
  readonly mask: Float32Array; // [maxBatch * maxWidth], 1 = may attend
}

/** Outputs of one step; fresh arrays owned by the caller (views of one buffer where the graph packs them). */
export interface StepResult {
  readonly logits: Float32Array; // [B, V]
  readonly h: Float32Array; // [B, D]
  readonly c: Float32Array; // [B, D]
  readonly attn: Float32Array; // [B, W], 0 where mask is 0
}

/** The decoder_step graph: one output step for B hypotheses (docs/contracts.md section 4). */
export class DecoderStep {
  readonly #session: ort.InferenceSession;
  readonly #path: string;
  readonly dims: DecoderDims;
  /**
   * Whether the graph packs its results into the one output "step": logits [B, V], h_out [B, D],
   * c_out [B, D] and attn [B, W], each flattened, one after another. Each output onnxruntime
   * returns to JavaScript costs about 5 us of a call that is run once per output token; one
   * instead of four made a call at 8 rows 15-20 us (10-15 %) faster, with bit-identical results.
   */
  readonly packed: boolean;
  /**
   * Per set of buffers, the input tensors of each (batch, width, shared) a step has run with:
   * views of the buffers, which are refilled in place, so they are made once, not per step.
   */
  readonly #feeds = new WeakMap<StepBuffers, Map<number, Record<string, ort.Tensor>>>();

  constructor(session: ort.InferenceSession, dims: DecoderDims, path: string, packed = false) {
    this.#session = session;
    this.dims = dims;
    this.#path = path;
    this.packed = packed;
  }

  createBuffers(maxBatch: number, maxWidth: number): StepBuffers {
    if (!(Number.isInteger(maxBatch) && maxBatch > 0 && Number.isInteger(maxWidth) && maxWidth > 0))
      throw new ConfigError(`step buffers need a positive batch and width, got ${maxBatch} x ${maxWidth}`, 'decoder');
    const { stateDim, keyDim, memoryDim } = this.dims;
    return Object.freeze({
      maxBatch,
      maxWidth,
      tokens: new BigInt64Array(maxBatch),
      h: new Float32Array(maxBatch * stateDim),
      c: new Float32Array(maxBatch * stateDim),
      keys: new Float32Array(maxBatch * maxWidth * keyDim),
      memory: new Float32Array(maxBatch * maxWidth * memoryDim),
      mask: new Float32Array(maxBatch * maxWidth),
    });
  }

  /**
   * Runs the step on the first `batch` rows of `buffers`, each `width` frames wide. With
   * `sharedFrames`, every row attends to the same frames: only the first row of keys and memory
   * is read, passed as [1, width, *] and broadcast by the graph's MatMuls (so onnxruntime neither
   * takes nor multiplies batch copies of them: about 20 % of a call at beam 8 in global mode);
   * mask stays [batch, width].
   */
  async run(buffers: StepBuffers, batch: number, width: number, sharedFrames = false): Promise<StepResult> {
    if (!(Number.isInteger(batch) && batch > 0 && batch <= buffers.maxBatch)) throw new ConfigError(`batch ${batch} outside 1..${buffers.maxBatch}`, 'decoder');
    if (!(Number.isInteger(width) && width > 0 && width <= buffers.maxWidth)) throw new ConfigError(`width ${width} outside 1..${buffers.maxWidth}`, 'decoder');
    const { stateDim, vocabSize } = this.dims;
    const feeds = this.#feedsFor(buffers, batch, width, sharedFrames);
    const outputs = await this.#session.run(feeds);
    if (this.packed) {
      const logitsEnd = batch * vocabSize;
      const hEnd = logitsEnd + batch * stateDim;
      const cEnd = hEnd + batch * stateDim;
      const step = floatOutput(outputs, DECODER_IO.step, [cEnd + batch * width], this.#path, false).data;
      const result = { logits: step.subarray(0, logitsEnd), h: step.subarray(logitsEnd, hEnd), c: step.subarray(hEnd, cEnd), attn: step.subarray(cEnd) };
      // All four are searched for NaN, h and c too: an int8 graph quantizes a NaN state to a
      // finite code, so the next step's logits would not show it (one pass over all of them).
      if (!allFinite(step))
        for (const [name, data] of [['logits', result.logits], ['h_out', result.h], ['c_out', result.c], ['attn', result.attn]] as const) assertNoNaN(data, `output "step" (${name})`, this.#path);
      return result;
    }
    return {
      logits: floatOutput(outputs, DECODER_IO.logits, [batch, vocabSize], this.#path).data,
      // Not searched for NaN: in a float graph a NaN in the state reaches the next step's logits,
      // which are. (An int8 graph would hide it; the shipped one has the packed layout above.)
      h: floatOutput(outputs, DECODER_IO.hOut, [batch, stateDim], this.#path, false).data,
      c: floatOutput(outputs, DECODER_IO.cOut, [batch, stateDim], this.#path, false).data,
      attn: floatOutput(outputs, DECODER_IO.attn, [batch, width], this.#path).data,
    };
  }

  /** The input tensors over `buffers` for one shape of step (made on its first use). */
  #feedsFor(buffers: StepBuffers, batch: number, width: number, sharedFrames: boolean): Record<string, ort.Tensor> {
    let byShape = this.#feeds.get(buffers);
    if (byShape === undefined) this.#feeds.set(buffers, (byShape = new Map()));
    const key = (batch * (buffers.maxWidth + 1) + width) * 2 + (sharedFrames ? 1 : 0);
    let feeds = byShape.get(key);
    if (feeds !== undefined) return feeds;
    const { stateDim, keyDim, memoryDim } = this.dims;
    const rows = sharedFrames ? 1 : batch; // rows of keys and memory
    // Views, not copies: ORT reads the typed array's own window of the buffer. CPU tensors over
    // our own arrays hold nothing to release, so they live as long as the buffers.
    feeds = {
      [DECODER_IO.token]: new ort.Tensor('int64', buffers.tokens.subarray(0, batch), [batch]),
      [DECODER_IO.h]: new ort.Tensor('float32', buffers.h.subarray(0, batch * stateDim), [batch, stateDim]),
      [DECODER_IO.c]: new ort.Tensor('float32', buffers.c.subarray(0, batch * stateDim), [batch, stateDim]),
      [DECODER_IO.keys]: new ort.Tensor('float32', buffers.keys.subarray(0, rows * width * keyDim), [rows, width, keyDim]),
      [DECODER_IO.memory]: new ort.Tensor('float32', buffers.memory.subarray(0, rows * width * memoryDim), [rows, width, memoryDim]),
      [DECODER_IO.mask]: new ort.Tensor('float32', buffers.mask.subarray(0, batch * width), [batch, width]),
    };
    byShape.set(key, feeds);
    return feeds;
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }
}
