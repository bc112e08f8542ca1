import type { Encoder, EncoderState } from '../model/encoder.ts';
import { createRows, type Rows } from './rows.ts';

/**
 * The encoder side of one utterance: normalised feature frames go in as they arrive, and the
 * encoder frames (keys and memory) of the utterance so far are kept for the decoder. The input
 * is taken up in whole chunks of `chunkFrames` (reachChunk): the endpoint rules look at the
 * frames taken up, and the frames are encoded (encodeTo) only once the recognizer knows they
 * belong to the utterance, so no feature frame is encoded twice when the utterance is cut inside
 * a chunk. Encoding runs in chunks of `chunkFrames` from the utterance's start with the carried
 * state; because running the encoder in chunks equals running it on the whole utterance
 * (docs/contracts.md section 4), the frames equal those of an offline encode of the same audio.
 */
export interface SegmentEncoder {
  /** Feature frames of the utterance received so far (encoded or not). */
  readonly featureFrames: number;
  /** Feature frames taken up (whole chunks, then all of them once the input ended): the frames the endpoint rules may look at. */
  readonly reachedFeatures: number;
  readonly keys: Rows; // [encoder frames, A]
  readonly memory: Rows; // [encoder frames, H]
  readonly ctcLogits: Rows; // [encoder frames, V]
  readonly frames: number; // encoder frames so far
  append(features: Float32Array, frames: number): void;
  /** Whether a whole chunk past the frames taken up is waiting. */
  hasChunk(): boolean;
  /** Takes up the next whole chunk (it is not encoded yet). */
  reachChunk(): void;
  /** The input ended: takes up every frame received. */
  reachEnd(): void;
  /**
   * Encodes the feature frames from the first not yet encoded up to `frame` (at most featureFrames; a multiple of
   * the subsampling factor unless it is featureFrames, the input's end, whose trailing partial
   * subsampling group yields no frame); returns the encoder frames it added.
   */
  encodeTo(frame: number): Promise<number>;
  /** Encodes everything received (encodeTo(featureFrames)). */
  encodeRest(): Promise<number>;
  /**
   * Starts a new utterance at feature frame `frame` of this one (a multiple of the subsampling
   * factor): earlier features are dropped and the encoder restarts from zero state.
   */
  restartAt(frame: number): void;
}

/** Feature rows held at first at most (5.12 s); more grow the buffer. */
const INITIAL_FEATURE_ROWS = 512;

export function createSegmentEncoder(encoder: Encoder, chunkFrames: number): SegmentEncoder {
  const { featureDim, keyDim, memoryDim, vocabSize, subsampling } = encoder.dims;
  // Room for a few chunks to start with, but not for offline's 10 s chunks x 4 (1.3 MB zeroed
  // per transcription, mostly unused for a short file): the rows grow by doubling when needed.
  const features = createRows(featureDim, Math.min(4 * chunkFrames, INITIAL_FEATURE_ROWS));
  const keys = createRows(keyDim);
  const memory = createRows(memoryDim);
  const ctcLogits = createRows(vocabSize);
  let state: EncoderState = encoder.initialState();
  let encoded = 0; // feature frames consumed by the encoder
  let reached = 0; // feature frames taken up

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

  const encodeTo = async (frame: number): Promise<number> => {
    const end = Math.min(frame, features.count);
    let added = 0;
    while (end - encoded >= chunkFrames) added += await run(chunkFrames, false);
    // Fewer frames than one subsampling group give no encoder frame: nothing to run.
    if (end - encoded >= subsampling) added += await run(end - encoded, true);
    return added;
  };

  return {
    get featureFrames() {
      return features.count;
    },
    get reachedFeatures() {
      return reached;
    },
    keys,
    memory,
    ctcLogits,
    get frames() {
      return keys.count;
    },
    append: (data, frames) => features.append(data, frames),
    hasChunk: () => features.count - reached >= chunkFrames,
    reachChunk() {
      reached += chunkFrames;
    },
    reachEnd() {
      reached = features.count;
    },
    encodeTo,
    encodeRest: () => encodeTo(features.count),
    restartAt(frame) {
      features.dropFront(frame);
      keys.clear();
      memory.clear();
      ctcLogits.clear();
      state = encoder.initialState();
      encoded = 0;
      reached = 0;
    },
  };
}
