import { argmax } from '../util/argmax.ts';
import type { AttentionMode, AttentionParams, AttentionStateBase } from './types.ts';

export interface LocalState extends AttentionStateBase {
  /** Encoder frame the attention is centred on; it never moves backwards. */
  readonly pointer: number;
}

/**
 * Local monotonic attention (docs/contracts.md section 4): the window is
 * [pointer - left, pointer + right] clipped to the available frames, and after each step the
 * pointer becomes max(pointer, absolute frame of the attention peak). The cost of a step is
 * bounded by left + right + 1 frames whatever the utterance length, and a step is ready as
 * soon as frame pointer + right exists, which is what makes streaming possible.
 */
export function createLocalMode(params: AttentionParams): AttentionMode<LocalState> {
  const { left, right } = params;
  const make = (framesAvailable: number, pointer: number): LocalState => Object.freeze({ framesAvailable, pointer });
  const window = (state: LocalState) => {
    // A pointer past the available frames (cannot happen via update) still yields a non-empty window.
    const last = state.framesAvailable - 1;
    const centre = Math.min(state.pointer, Math.max(last, 0));
    return { start: Math.max(0, centre - left), end: Math.min(state.framesAvailable, centre + right + 1) };
  };
  return Object.freeze({
    name: 'local' as const,
    init: (framesAvailable: number) => make(framesAvailable, 0),
    extend: (state: LocalState, framesAvailable: number) => make(Math.max(state.framesAvailable, framesAvailable), state.pointer),
    window,
    update: (state: LocalState, weights: ArrayLike<number>) => {
      const { start, end } = window(state);
      if (end <= start) return state;
      const peak = start + argmax(weights, end - start);
      return peak > state.pointer ? make(state.framesAvailable, peak) : state;
    },
    isReady: (state: LocalState, inputEnded: boolean) => inputEnded || state.pointer + right < state.framesAvailable,
  });
}
