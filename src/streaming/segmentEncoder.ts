import type { Encoder, EncoderState } from '../model/encoder.ts';
import { createRows, type Rows } from './rows.ts';

/**
 * The encoder side of one utterance: normalised feature frames go in as they arrive, whole
 * chunks of `chunkFrames` run through the encoder with the carried state, and the encoder
 * frames (keys and memory) of the utterance so far are kept for the decoder. Because running
 * the encoder in chunks equals running it on the whole utterance (docs/contracts.md section 4),
 * the frames equal those of an offline encode of the same audio.
 */
export interface SegmentEncoder {
  /** Feature frames of the utterance received so far (encoded or not). */
  readonly featureFrames: number;
  /** Feature frames already run through the encoder (a multiple of the subsampling factor, except after the final chunk). */
  readonly encodedFeatures: number;
  readonly keys: Rows; // [encoder frames, A]
  readonly memory: Rows; // [encoder frames, H]
  readonly ctcLogits: Rows; // [encoder frames, V]
  readonly frames: number; // encoder frames so far
  append(features: Float32Array, frames: number): void;
  /** Whether a whole chunk is waiting. */
  hasChunk(): boolean;
  /** Encodes the next whole chunk; returns the encoder frames it added. */
  encodeChunk(): Promise<number>;
  /** The input ended: encodes everything left, a trailing partial subsampling group included (it yields no frame). */
  encodeRest(): Promise<number>;
  /**
   * Starts a new utterance at feature frame `frame` of this one (a multiple of the subsampling
   * factor): earlier features are dropped and the encoder restarts from zero state.
   */
  restartAt(frame: number): void;
}

export function createSegmentEncoder(encoder: Encoder, chunkFrames: number): SegmentEncoder {
  const { featureDim, keyDim, memoryDim, vocabSize } = encoder.dims;
  const features = createRows(featureDim, 4 * chunkFrames);
  const keys = createRows(keyDim);
  const memory = createRows(memoryDim);
  const ctcLogits = createRows(vocabSize);
  let state: EncoderState = encoder.initialState();
  let encoded = 0; // feature frames consumed by the encoder

  const run = async (frames: number, final: boolean): Promise<number> => {
    const chunk = features.view().subarray(encoded * featureDim, (encoded + frames) * featureDim); // [frames, F]
    const result = await encoder.runChunk(chunk, frames, state, { final });
    state = result.state;
    encoded += frames;
    keys.append(result.output.keys, result.output.frames);
    memory.append(result.output.memory, result.output.frames);
    ctcLogits.append(result.output.ctcLogits, result.output.frames);
    return result.output.frames;
  };

  return {
    get featureFrames() {
      return features.count;
    },
    get encodedFeatures() {
      return encoded;
    },
    keys,
    memory,
    ctcLogits,
    get frames() {
      return keys.count;
    },
    append: (data, frames) => features.append(data, frames),
    hasChunk: () => features.count - encoded >= chunkFrames,
    encodeChunk: () => run(chunkFrames, false),
    encodeRest: async () => {
      let added = 0;
      while (features.count - encoded >= chunkFrames) added += await run(chunkFrames, false);
      // Fewer frames than one subsampling group give no encoder frame: nothing to run.
      if (features.count - encoded >= encoder.dims.subsampling) added += await run(features.count - encoded, true);
      return added;
    },
    restartAt(frame) {
      features.dropFront(frame);
      keys.clear();
      memory.clear();
      ctcLogits.clear();
      state = encoder.initialState();
      encoded = 0;
    },
  };
}
