/**
 * The attention modes share one interface with explicit state (STYLE.md item 6). A mode never
 * computes attention itself: the decoder graph does that over the frames it is given. A mode
 * decides WHICH encoder frames the next decoder step may see (the window) and how the
 * decoder's attention weights move its state on. State is an immutable value, so a beam can
 * fork it freely: every hypothesis carries its own.
 */

import type { ModeName } from '../model/modeNames.ts';

/** The list of mode names exists once (model/modeNames.ts, where bundles are validated); everything else derives from it. */
export { MODE_NAMES, type ModeName } from '../model/modeNames.ts';

/** Half-open range of encoder frames [start, end) a decoder step may attend to. */
export interface AttentionWindow {
  readonly start: number;
  readonly end: number;
}

/** Window sizes in encoder frames (docs/contracts.md section 4: [p - left, p + right]). */
export interface AttentionParams {
  readonly left: number;
  readonly right: number;
}

/** Every state records how many encoder frames exist so far (grows while streaming). */
export interface AttentionStateBase {
  readonly framesAvailable: number;
}

export interface AttentionMode<S extends AttentionStateBase> {
  readonly name: ModeName;
  /** State at the start of an utterance with `framesAvailable` encoder frames known. */
  init(framesAvailable: number): S;
  /** More encoder frames arrived (streaming); a count may only grow. */
  extend(state: S, framesAvailable: number): S;
  /** Frames the next step attends to; never empty while framesAvailable > 0. */
  window(state: S): AttentionWindow;
  /**
   * Moves the state on after a step. `weights` are the decoder's attention weights over the
   * window returned by `window(state)`; only the first `end - start` entries are read
   * (a batched step pads rows to the widest window).
   */
  update(state: S, weights: ArrayLike<number>): S;
  /**
   * Whether the next step can run now without changing its result later: every frame its
   * window would cover once all input is known is already available.
   */
  isReady(state: S, inputEnded: boolean): boolean;
}

/** A mode with its state type hidden, as the registry hands it out. */
export type AnyAttentionMode = AttentionMode<AttentionStateBase>;
