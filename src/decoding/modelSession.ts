import { ConfigError } from '../errors.ts';
import type { DecoderStep } from '../model/decoderStep.ts';
import type { DecoderSession, StepOutput, StepRow } from './session.ts';

/**
 * Encoder frames as the decoder reads them: one utterance's EncoderOutput, or, while streaming,
 * the frames so far (getters that grow; rows already there never change).
 */
export interface EncodedFrames {
  readonly frames: number;
  readonly keys: Float32Array; // [frames, A]
  readonly memory: Float32Array; // [frames, H]
  readonly ctcLogits?: Float32Array; // [frames, V]
}

/**
 * A DecoderSession over the decoder_step graph and one utterance's encoder output. `maxWidth`
 * bounds every window (all frames in global mode, L + R + 1 in local mode).
 *
 * Each row's keys/memory window is gathered into preallocated [B, W, *] buffers, W being the
 * widest window in the batch; narrower rows are zero-padded with mask 0. A row is only
 * re-copied when its window or W changes, so in global mode (one fixed window) the frames are
 * copied once per utterance and in local mode only when a pointer moves.
 */
export function createModelSession(decoder: DecoderStep, encoded: EncodedFrames, maxBatch: number, maxWidth: number): DecoderSession {
  const { stateDim, keyDim, memoryDim, vocabSize } = decoder.dims;
  const buffers = decoder.createBuffers(maxBatch, Math.max(1, maxWidth));
  // What each buffer row currently holds, to skip unchanged copies.
  const heldStart = new Int32Array(maxBatch).fill(-1);
  const heldEnd = new Int32Array(maxBatch).fill(-1);
  let heldStride = -1;
  let previousH: Float32Array | undefined; // [B_prev, D] h_out of the last step
  let previousC: Float32Array | undefined;
  let previousBatch = 0;

  const fillWindow = (row: number, start: number, end: number, stride: number) => {
    const n = end - start;
    const keysRow = buffers.keys.subarray(row * stride * keyDim, (row + 1) * stride * keyDim); // [W, A]
    keysRow.set(encoded.keys.subarray(start * keyDim, end * keyDim));
    keysRow.fill(0, n * keyDim);
    const memoryRow = buffers.memory.subarray(row * stride * memoryDim, (row + 1) * stride * memoryDim); // [W, H]
    memoryRow.set(encoded.memory.subarray(start * memoryDim, end * memoryDim));
    memoryRow.fill(0, n * memoryDim);
    const maskRow = buffers.mask.subarray(row * stride, (row + 1) * stride); // [W]
    maskRow.fill(1, 0, n);
    maskRow.fill(0, n);
    heldStart[row] = start;
    heldEnd[row] = end;
  };

  const ctcLogits = encoded.ctcLogits;
  return {
    vocabSize,
    get encoderFrames() {
      return encoded.frames;
    },
    ...(ctcLogits !== undefined && ctcLogits.length >= encoded.frames * vocabSize && encoded.frames > 0 ? { ctcLogits } : {}),
    async step(rows: readonly StepRow[]): Promise<StepOutput> {
      const batch = rows.length;
      if (batch < 1 || batch > maxBatch) throw new ConfigError(`step batch ${batch} outside 1..${maxBatch}`, 'decoder');
      let stride = 1;
      for (const { window } of rows) {
        if (!(window.start >= 0 && window.end <= encoded.frames && window.end > window.start && window.end - window.start <= buffers.maxWidth))
          throw new ConfigError(`window [${window.start}, ${window.end}) invalid for ${encoded.frames} frames (max width ${buffers.maxWidth})`, 'decoder');
        stride = Math.max(stride, window.end - window.start);
      }
      if (stride !== heldStride) {
        heldStart.fill(-1); // every row's layout moved
        heldStride = stride;
      }
      // Every row attending to the same frames (always in global mode, often in local mode):
      // row 0's keys and memory serve them all (DecoderStep.run's sharedFrames).
      const first = rows[0].window;
      let shared = batch > 1;
      for (let b = 1; b < batch && shared; b++) shared = rows[b].window.start === first.start && rows[b].window.end === first.end;
      for (let b = 0; b < batch; b++) {
        const { token, parent, window } = rows[b];
        if (!(Number.isInteger(token) && token >= 0 && token < vocabSize)) throw new ConfigError(`token ${token} outside the vocabulary`, 'decoder');
        if (parent >= previousBatch) throw new ConfigError(`parent row ${parent} does not exist (previous step had ${previousBatch} rows)`, 'decoder');
        buffers.tokens[b] = BigInt(token);
        // Row b of h and c [B, D]: the parent's row of the last step's outputs.
        const to = b * stateDim;
        if (parent < 0 || previousH === undefined || previousC === undefined) {
          buffers.h.fill(0, to, to + stateDim);
          buffers.c.fill(0, to, to + stateDim);
        } else {
          const from = parent * stateDim;
          buffers.h.set(previousH.subarray(from, from + stateDim), to);
          buffers.c.set(previousC.subarray(from, from + stateDim), to);
        }
        if (shared && b > 0) {
          // Only the mask row is needed; the row's keys and memory are left as they are, and
          // marked stale since its mask no longer matches them.
          buffers.mask.copyWithin(b * stride, 0, stride);
          heldStart[b] = -1;
        } else if (heldStart[b] !== window.start || heldEnd[b] !== window.end) fillWindow(b, window.start, window.end, stride);
      }
      const out = await decoder.run(buffers, batch, stride, shared);
      previousH = out.h;
      previousC = out.c;
      previousBatch = batch;
      return { logits: out.logits, attn: out.attn, width: stride };
    },
  };
}
