import type { AttentionWindow } from '../attention/index.ts';

/** One hypothesis in a batched decoder step. */
export interface StepRow {
  /** The previous token (<sos> on the first step). */
  readonly token: number;
  /** Row of the previous step whose recurrent state this row continues; -1 starts fresh. */
  readonly parent: number;
  /** Encoder frames this row attends to. */
  readonly window: AttentionWindow;
}

export interface StepOutput {
  readonly logits: Float32Array; // [B, V]
  readonly attn: Float32Array; // [B, width]: row b's weights over its window, then zeros
  readonly width: number; // the widest window in the batch
}

/**
 * The decoder as the search sees it, for one utterance: a batched step that keeps the
 * recurrent state rows itself (reordered via `parent`), so a search needs no tensors. The
 * model-backed one is in modelSession.ts; tests substitute scripted ones.
 */
export interface DecoderSession {
  readonly vocabSize: number;
  readonly encoderFrames: number;
  /** The encoder's CTC logits [encoderFrames, vocabSize], for joint decoding; absent when unknown. */
  readonly ctcLogits?: Float32Array;
  step(rows: readonly StepRow[]): Promise<StepOutput>;
}
