import { createFloat32Buffer } from '../util/float32.ts';
import { DEFAULT_FRONTEND, type FrontEndConfig } from './config.ts';
import { frameCount, getFrameAnalyser } from './frameAnalyser.ts';
import { firstNonFinite, nonFiniteError, samplesAt, uncoveredRanges, type SamplesInput } from './input.ts';
import type { Features } from './logMel.ts';

/**
 * Incremental log-mel extraction. Feeding audio in chunks of any size (empty ones included)
 * yields, concatenated, exactly the rows `computeLogMel` gives for the whole clip: both run
 * the same per-frame kernel on the same sample values.
 */
export interface LogMelStream {
  /** Appends samples and returns the frames that became complete (possibly none). */
  push(chunk: SamplesInput): Features;
  /** Drops buffered samples and starts a new utterance. */
  reset(): void;
  /** Frames returned since creation or the last reset. */
  readonly framesEmitted: number;
  /** Samples held back because a later frame still needs them. */
  readonly pendingSamples: number;
}

export function createLogMelStream(cfg: FrontEndConfig = DEFAULT_FRONTEND, input = 'stream'): LogMelStream {
  const analyser = getFrameAnalyser(cfg);
  const { frameLength, hopLength, nMels: dim } = cfg;
  // The samples from the start of the next frame onwards. Its capacity only grows, to the
  // largest push seen plus one frame.
  const pending = createFloat32Buffer(frameLength + hopLength);
  let framesEmitted = 0;
  let chunkIndex = 0;
  // With hop > frameLength the next frame can start beyond the samples seen so far; this many
  // upcoming samples then belong to no frame and are dropped on arrival.
  let skip = 0;

  function push(source: SamplesInput): Features {
    // A rejected chunk still counts, so the index in an error is the chunk's position in the
    // caller's sequence; the stream's state is left as it was before that chunk.
    const name = `${input} chunk ${chunkIndex++}`;
    let chunk = samplesAt(source, cfg, name);
    const dropped = Math.min(skip, chunk.length);
    if (dropped > 0) {
      const bad = firstNonFinite(chunk, 0, dropped);
      if (bad >= 0) throw nonFiniteError(chunk, bad, name);
      chunk = chunk.subarray(dropped);
    }
    const before = pending.length;
    pending.append(chunk);
    const samples = pending.view();
    const needed = samples.length;

    const frames = frameCount(needed, cfg);
    const data = new Float32Array(frames * dim); // [frames, dim]
    // Held-back samples were checked when they arrived, so any bad sample is in this chunk.
    const reject = (from: number, to: number): void => {
      const bad = firstNonFinite(samples, Math.max(from, before), to);
      if (bad >= 0) throw nonFiniteError(samples, bad, name, before - dropped);
    };
    try {
      for (let i = 0; i < frames; i++) {
        if (!analyser.analyse(samples, i * hopLength, data, i * dim)) {
          reject(i * hopLength, i * hopLength + frameLength);
          throw nonFiniteError(samples, -1, name); // not reached: the frame holds a bad sample
        }
      }
      for (const [from, to] of uncoveredRanges(needed, frames, cfg)) reject(from, to);
    } catch (err) {
      pending.truncate(before); // a rejected chunk leaves the stream as it was
      throw err;
    }

    // Only now, with the chunk accepted, move on: keep everything from the start of the
    // first frame not yet emitted.
    const consumed = frames * hopLength;
    skip += Math.max(0, consumed - needed) - dropped;
    pending.dropFront(consumed);
    framesEmitted += frames;
    return { data, frames, dim };
  }

  return {
    push,
    reset() {
      pending.clear();
      framesEmitted = 0;
      skip = 0;
      chunkIndex = 0;
    },
    get framesEmitted() {
      return framesEmitted;
    },
    get pendingSamples() {
      return pending.length;
    },
  };
}
