import { createLocalMode, type AttentionParams, type LocalState } from '../attention/index.ts';
import type { DecoderStep, StepResult } from '../model/decoderStep.ts';
import { BLANK_ID, EOS_ID, SOS_ID } from '../model/vocab.ts';
import { argmax } from '../util/argmax.ts';
import type { EncodedRows } from './partialDecoder.ts';

/** One provisional character: its token and the frame its attention peaked on. */
export interface SpikeStep {
  readonly token: number;
  readonly peakFrame: number;
}

/** Where the partial decoder stands: its last token and attention state (the state after its last step is recorded by `decoder`). */
export interface CommittedPosition {
  /** The last token emitted; undefined before the first step. */
  readonly token: number | undefined;
  readonly attention: LocalState;
}

/**
 * Triggered attention steps (Moritz et al. 2019) for partial text: when the CTC head has spiked
 * on characters past the attention pointer, greedy attention steps for them run at once, from
 * the partial decoder's last state, over the frames that exist now: the window [p - L, p + R]
 * cut at the newest frame. The model never saw such a cut window except at an utterance's end,
 * so these steps are provisional: they never feed the partial decoder, which makes the same
 * steps again once each window has arrived, and the recognizer shows its characters instead.
 *
 * `decoder` is the model's decoder with the state of each step it runs kept, so that the
 * partial decoder's session (the only caller of its run) leaves its last state behind.
 */
export interface SpikeStepper {
  /** The decoder for the partial decoder's session: the model's, keeping its last output state. */
  readonly decoder: DecoderStep;
  /** Up to `count` greedy steps from the committed position over `frames`; stops early at <eos>. */
  run(from: CommittedPosition, frames: EncodedRows, count: number): Promise<SpikeStep[]>;
}

export function createSpikeStepper(model: DecoderStep, params: AttentionParams): SpikeStepper {
  const { stateDim, keyDim, memoryDim, vocabSize } = model.dims;
  const mode = createLocalMode(params);
  const buffers = model.createBuffers(1, params.left + params.right + 1);
  let last: { h: Float32Array; c: Float32Array } | undefined; // [D] each: row 0 of the committed session's last step
  // The model's decoder, its run wrapped: the partial decoder's session runs batch 1, so row 0 is its state.
  const decoder = Object.create(model) as DecoderStep;
  decoder.run = async (b, batch, width): Promise<StepResult> => {
    const out = await model.run(b, batch, width);
    last = { h: out.h.slice(0, stateDim), c: out.c.slice(0, stateDim) };
    return out;
  };

  return {
    decoder,
    async run(from, frames, count) {
      const steps: SpikeStep[] = [];
      const available = frames.keys.count;
      if (count <= 0 || available === 0) return steps;
      let state = mode.extend(from.attention, available);
      let token = from.token ?? SOS_ID;
      buffers.h.set(from.token === undefined || last === undefined ? new Float32Array(stateDim) : last.h);
      buffers.c.set(from.token === undefined || last === undefined ? new Float32Array(stateDim) : last.c);
      const keys = frames.keys.view(); // [frames, A]
      const memory = frames.memory.view(); // [frames, H]
      while (steps.length < count) {
        const { start, end } = mode.window(state);
        const width = end - start;
        buffers.tokens[0] = BigInt(token);
        buffers.keys.set(keys.subarray(start * keyDim, end * keyDim));
        buffers.memory.set(memory.subarray(start * memoryDim, end * memoryDim));
        buffers.mask.fill(1, 0, width);
        const out = await model.run(buffers, 1, width);
        const logits = out.logits.slice(0, vocabSize); // [V]
        logits[BLANK_ID] = Number.NEGATIVE_INFINITY;
        logits[SOS_ID] = Number.NEGATIVE_INFINITY;
        token = argmax(logits);
        if (token === EOS_ID) break;
        const weights = out.attn.subarray(0, width); // [window]
        steps.push({ token, peakFrame: start + argmax(weights) });
        state = mode.update(state, weights);
        buffers.h.set(out.h.subarray(0, stateDim));
        buffers.c.set(out.c.subarray(0, stateDim));
      }
      return steps;
    },
  };
}
