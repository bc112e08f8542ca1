import type { UtteranceScore } from '../metrics/index.ts';
import type { TranscriptionResult } from '../offline/transcribe.ts';

/**
 * The plain results the batch pipelines hand to report/: built by the rx operators
 * transcribeModes and scoreResults, read by the comparison report and the transcript writer.
 */

/** Every mode's result on one utterance, from the same decoded audio. */
export interface ModeResults {
  /** The model's name (its card) and the duration of one encoder frame. */
  readonly model: string;
  readonly frameSeconds: number;
  readonly results: readonly TranscriptionResult[];
}

/** A transcription, scored when the item has a reference transcript. */
export interface ScoredResult {
  readonly result: TranscriptionResult;
  /** Present when the item has a reference transcript. */
  readonly score?: UtteranceScore;
}
