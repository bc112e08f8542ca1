import { createLocalMode, type AttentionParams, type AttentionWindow, type LocalState } from '../attention/index.ts';
import { assembleStrategies, createModelSession, createSearch, maxOutputLength, validateDecodingOptions, type DecodeContext, type DecodingOptions, type EndDetector, type StepRecord } from '../decoding/index.ts';
import type { DecoderStep } from '../model/decoderStep.ts';
import { EOS_ID } from '../model/vocab.ts';
import type { Rows } from './rows.ts';

/** The encoder frames of the utterance so far, as the decoder reads them. */
export interface EncodedRows {
  readonly keys: Rows; // [frames, A]
  readonly memory: Rows; // [frames, H]
}

export type StopReason = 'eos' | 'length';

/**
 * Partial text while the encoder frames are still arriving: the offline search of src/decoding
 * (the same session, strategies and loop), greedy, attention only (no CTC, no LM), in local mode, run one step
 * at a time. A step runs as soon as its window [p - L, p + R] is fully available (the mode's
 * readiness check), so it sees exactly the frames the offline decoder gives it, and its token
 * is final the moment it is emitted. The output-length cap (ceil(frames * maxTokensPerFrame) +
 * slack, over the whole utterance) is unknown while frames still arrive; a step that the cap
 * for the frames seen so far would forbid waits for more frames or for the end, so the tokens
 * equal decodeEncoded's with mode 'local', beam 1, ctc weight 0, <eos> and length cap included.
 */
export interface PartialDecoder {
  /** Steps of the utterance so far, <eos> included once emitted. */
  readonly steps: readonly StepRecord[];
  /** Why decoding stopped, once it has. */
  readonly stopped: StopReason | undefined;
  readonly attention: LocalState;
  /** The window the next step attends to (empty before any frame). */
  readonly window: AttentionWindow;
  /** Runs every step that can run with `frames`; `inputEnded` says no frame will follow. Returns the new steps. */
  advance(frames: EncodedRows, inputEnded: boolean): Promise<readonly StepRecord[]>;
}

export function createPartialDecoder(
  decoder: DecoderStep,
  ctx: DecodeContext,
  params: AttentionParams,
  limits: Pick<DecodingOptions, 'maxTokensPerFrame' | 'maxLengthSlack'>,
): PartialDecoder {
  const { maxTokensPerFrame, maxLengthSlack } = limits;
  const options = validateDecodingOptions({ mode: 'local', beam: 1, ctcWeight: 0, lmWeight: 0, left: params.left, right: params.right, maxTokensPerFrame, maxLengthSlack });
  let rows: EncodedRows | undefined;
  const frames = () => rows?.keys.count ?? 0;
  // Getters: the session reads the frames as they stand at each step.
  const encoded = {
    get frames() {
      return frames();
    },
    get keys() {
      return rows?.keys.view() ?? new Float32Array(0);
    },
    get memory() {
      return rows?.memory.view() ?? new Float32Array(0);
    },
  };
  const mode = createLocalMode(params);
  const session = createModelSession(decoder, encoded, 1, params.left + params.right + 1);
  // The cap grows with the frames; the offline search's cap is the one for all of them, which
  // `advance` only applies once the input has ended.
  let inputDone = false;
  const end: EndDetector = {
    get maxLength() {
      return inputDone ? maxOutputLength(frames(), limits) : Number.MAX_SAFE_INTEGER;
    },
    isEnd(token, length) {
      return token === EOS_ID || length >= this.maxLength;
    },
  };
  const search = createSearch(session, { ...assembleStrategies(options, ctx, 0), end });
  let steps: readonly StepRecord[] = [];
  let stopped: StopReason | undefined;

  return {
    get steps() {
      return steps;
    },
    get stopped() {
      return stopped;
    },
    get attention() {
      return search.bestAttention() as LocalState;
    },
    get window() {
      const state = search.bestAttention() as LocalState;
      return state.framesAvailable > 0 ? mode.window(state) : { start: 0, end: 0 };
    },
    async advance(next, inputEnded) {
      rows = next;
      const available = frames();
      search.extend(available);
      const before = steps.length;
      while (stopped === undefined && available > 0) {
        // The offline search stops once its length reaches the cap for ALL the frames; the cap
        // only grows with frames, so below the current one the next step surely runs.
        if (search.length >= maxOutputLength(available, limits)) {
          if (inputEnded) stopped = 'length';
          break;
        }
        if (!search.ready(inputEnded)) break;
        inputDone = inputEnded;
        await search.step();
        steps = search.best().steps;
        if (search.done) stopped = steps.at(-1)?.token === EOS_ID ? 'eos' : 'length';
      }
      if (stopped === undefined && inputEnded && available === 0) stopped = 'length';
      if (stopped !== undefined) search.stop();
      return steps.slice(before);
    },
  };
}
