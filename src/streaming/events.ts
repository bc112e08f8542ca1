import type { EndpointRule } from './endpoint.ts';

/**
 * What a streaming recognizer reports. Times are seconds on the stream's clock: 0 is the first
 * sample pushed, so times keep growing across utterances.
 */

/** One transcript character. */
export interface StreamToken {
  readonly token: string;
  /** Where the character is in the audio: its step's attention peak (and the next step's). */
  readonly start: number;
  readonly end: number;
  /** Seconds of audio pushed when the character was emitted (its lag is emittedAt - start, plus compute time). */
  readonly emittedAt: number;
}

/** The attention window of the next decoder step, and its pointer. */
export interface WindowPosition {
  readonly start: number;
  readonly end: number;
  readonly pointer: number;
}

/** Text of the current utterance so far (local mode only: global decodes at the endpoint). */
export interface PartialEvent {
  readonly type: 'partial';
  readonly utterance: number; // 0, 1, 2... per stream
  readonly text: string;
  readonly tokens: readonly StreamToken[];
  readonly window: WindowPosition;
  readonly audioTime: number;
}

/** Why an utterance ended: an endpoint rule, the decoder's <eos>, the end of the input, or an error. */
export type FinalReason = EndpointRule | 'eos' | 'end' | 'error';

export interface FinalEvent {
  readonly type: 'final';
  readonly utterance: number;
  readonly text: string;
  readonly tokens: readonly StreamToken[];
  /** Last window (local mode); global mode attends to the whole utterance. */
  readonly window: WindowPosition;
  readonly audioTime: number;
  readonly reason: FinalReason;
  /**
   * The audio this utterance was decoded from: [start, end) seconds. Offline decoding of exactly
   * these samples gives the same text (test/streaming/equivalence.test.ts).
   */
  readonly start: number;
  readonly end: number;
  /**
   * The VAD heard less than the minimum utterance of speech (silence, hum, noise, a DC offset):
   * nothing was decoded and the text is empty.
   */
  readonly noSpeech?: boolean;
  /** Set when reason is 'error': what ended the stream (an error event follows). */
  readonly error?: ErrorInfo;
}

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly input?: string;
}

/** The stream failed; it is the last event. */
export interface ErrorEvent extends ErrorInfo {
  readonly type: 'error';
  readonly audioTime: number;
}

export type StreamEvent = PartialEvent | FinalEvent | ErrorEvent;
