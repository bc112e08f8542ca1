import { argmax } from '../util/argmax.ts';
import type { Rows } from './rows.ts';

/** A frame where the CTC head's best label turns to a new non-blank token: that token's audio has arrived. */
export interface CtcSpike {
  readonly frame: number; // encoder frame of the utterance
  readonly token: number;
}

/**
 * The CTC greedy path of one utterance, read frame by frame as the causal encoder produces
 * frames (the rows of earlier frames never change). A spike is a frame whose arg-max label is
 * not blank and differs from the previous frame's (CTC's collapse rule), so the spikes spell
 * the CTC greedy transcript in order, each at the first frame of its label. Triggered attention
 * (Moritz et al. 2019) reads them as "this character has been heard"; here they mark which
 * characters the attention decoder has not reached yet (partialSource.ts).
 */
export interface SpikeTracker {
  /** Spikes found so far, in frame order. */
  readonly spikes: readonly CtcSpike[];
  /** Frames of CTC logits read so far. */
  readonly frames: number;
  /** Reads the frames of `logits` [frames, V] not read yet. */
  update(logits: Pick<Rows, 'count' | 'view'>): void;
  /** The spikes at frames after `frame`, in order. */
  after(frame: number): readonly CtcSpike[];
}

export function createSpikeTracker(vocabSize: number, blankId: number): SpikeTracker {
  const spikes: CtcSpike[] = [];
  let frames = 0;
  let previous = blankId; // the label of the frame before the next one; an utterance starts after a blank
  return {
    spikes,
    get frames() {
      return frames;
    },
    update(logits) {
      if (logits.count < frames) throw new RangeError(`CTC rows shrank from ${frames} to ${logits.count}: a new utterance needs a new tracker`);
      const data = logits.view(); // [frames, V]
      for (; frames < logits.count; frames++) {
        const best = argmax(data.subarray(frames * vocabSize, (frames + 1) * vocabSize)); // first on ties
        if (best !== blankId && best !== previous) spikes.push(Object.freeze({ frame: frames, token: best }));
        previous = best;
      }
    },
    after(frame) {
      let first = spikes.length;
      while (first > 0 && spikes[first - 1].frame > frame) first--;
      return spikes.slice(first);
    },
  };
}
