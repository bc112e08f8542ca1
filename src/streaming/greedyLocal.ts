import { argmax, createLocalMode, type AttentionParams, type AttentionWindow, type LocalState } from '../attention/index.ts';
import { greedySelector, logSoftmaxRow, maxOutputLength, type DecodingOptions, type StepRecord } from '../decoding/index.ts';
import type { DecoderStep } from '../model/decoderStep.ts';
import { BLANK_ID, EOS_ID, SOS_ID } from '../model/vocab.ts';
import type { Rows } from './rows.ts';

/** The encoder frames of the utterance so far, as the decoder reads them. */
export interface EncodedFrames {
  readonly keys: Rows; // [frames, A]
  readonly memory: Rows; // [frames, H]
}

export type StopReason = 'eos' | 'length';

/**
 * Greedy local-monotonic decoding that runs while the encoder frames are still arriving. A
 * step runs as soon as its window [p - L, p + R] is fully available (the mode's readiness
 * check), so it sees exactly the frames the offline decoder gives it, and its token is final
 * the moment it is emitted. The output-length cap of the offline search
 * (ceil(frames * maxTokensPerFrame) + slack, over the whole utterance) is unknown while frames
 * still arrive; a step that the cap for the frames seen so far would forbid waits for more
 * frames or for the end, so the tokens equal the offline greedy ones (decodeEncoded with mode
 * 'local', beam 1), their <eos> and length cap included.
 */
export interface GreedyLocalDecoder {
  /** Steps of the utterance so far, <eos> included once emitted. */
  readonly steps: readonly StepRecord[];
  /** Why decoding stopped, once it has. */
  readonly stopped: StopReason | undefined;
  readonly attention: LocalState;
  /** The window the next step attends to (empty before any frame). */
  readonly window: AttentionWindow;
  /** Runs every step that can run with `frames`; `inputEnded` says no frame will follow. Returns the new steps. */
  advance(frames: EncodedFrames, inputEnded: boolean): Promise<readonly StepRecord[]>;
}

export function createGreedyLocalDecoder(
  decoder: DecoderStep,
  params: AttentionParams,
  limits: Pick<DecodingOptions, 'maxTokensPerFrame' | 'maxLengthSlack'>,
): GreedyLocalDecoder {
  const mode = createLocalMode(params);
  const { stateDim, keyDim, memoryDim, vocabSize } = decoder.dims;
  const maxWidth = params.left + params.right + 1;
  const buffers = decoder.createBuffers(1, maxWidth);
  const logProbs = new Float32Array(vocabSize);
  const banned = [BLANK_ID, SOS_ID];
  const steps: StepRecord[] = [];
  let attention: LocalState = mode.init(0);
  let previous: { h: Float32Array; c: Float32Array } | undefined; // [1, D] each
  let stopped: StopReason | undefined;

  const step = async (frames: EncodedFrames): Promise<StepRecord | undefined> => {
    const window = mode.window(attention);
    const width = window.end - window.start;
    buffers.tokens[0] = BigInt(steps.at(-1)?.token ?? SOS_ID);
    if (previous === undefined) {
      buffers.h.fill(0, 0, stateDim);
      buffers.c.fill(0, 0, stateDim);
    } else {
      buffers.h.set(previous.h.subarray(0, stateDim));
      buffers.c.set(previous.c.subarray(0, stateDim));
    }
    buffers.keys.set(frames.keys.view().subarray(window.start * keyDim, window.end * keyDim)); // [W, A]
    buffers.memory.set(frames.memory.view().subarray(window.start * memoryDim, window.end * memoryDim)); // [W, H]
    buffers.mask.fill(1, 0, width);
    const out = await decoder.run(buffers, 1, width);
    previous = { h: out.h, c: out.c };
    const weights = out.attn.subarray(0, width); // [W]
    attention = mode.update(attention, weights);
    const [best] = greedySelector.select(logSoftmaxRow(out.logits, 0, vocabSize, banned, logProbs));
    if (best === undefined) return undefined; // every logit NaN: nothing can be proposed
    return { token: best.token, logProb: best.logProb, window, peakFrame: window.start + argmax(weights), weights: undefined };
  };

  return {
    steps,
    get stopped() {
      return stopped;
    },
    get attention() {
      return attention;
    },
    get window() {
      return attention.framesAvailable > 0 ? mode.window(attention) : { start: 0, end: 0 };
    },
    async advance(frames, inputEnded) {
      const available = frames.keys.count;
      attention = mode.extend(attention, available);
      const made: StepRecord[] = [];
      while (stopped === undefined && available > 0) {
        // The offline search stops once `steps.length` reaches the cap for ALL the frames; the
        // cap only grows with frames, so below the current one the next step surely runs.
        if (steps.length >= maxOutputLength(available, limits)) {
          if (inputEnded) stopped = 'length';
          break;
        }
        if (!mode.isReady(attention, inputEnded)) break;
        const record = await step(frames);
        if (record === undefined) {
          stopped = 'length';
          break;
        }
        steps.push(record);
        made.push(record);
        if (record.token === EOS_ID) stopped = 'eos';
      }
      if (stopped === undefined && inputEnded && available === 0) stopped = 'length';
      return made;
    },
  };
}
