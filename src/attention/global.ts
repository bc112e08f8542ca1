import type { AttentionMode, AttentionStateBase } from './types.ts';

export type GlobalState = AttentionStateBase;

/**
 * Global (full-sequence) attention: every step sees every encoder frame. It cannot emit a
 * token before the input has ended, because a later frame could still change the result.
 */
export function createGlobalMode(): AttentionMode<GlobalState> {
  return Object.freeze({
    name: 'global' as const,
    init: (framesAvailable: number): GlobalState => Object.freeze({ framesAvailable }),
    extend: (state: GlobalState, framesAvailable: number): GlobalState =>
      Object.freeze({ framesAvailable: Math.max(state.framesAvailable, framesAvailable) }),
    window: (state: GlobalState) => ({ start: 0, end: state.framesAvailable }),
    update: (state: GlobalState): GlobalState => state,
    isReady: (_state: GlobalState, inputEnded: boolean) => inputEnded,
  });
}
