import { describe, expect, it } from 'vitest';
import { createSpikeTracker } from '../../src/streaming/ctcSpikes.ts';
import { createRows } from '../../src/streaming/rows.ts';
import { SAME_CHARACTER_FRAMES, spikesAhead } from '../../src/streaming/partialSource.ts';
import { BLANK_ID, CONTRACT_VOCAB } from '../../src/model/vocab.ts';
import { id } from '../decoding/scriptedSession.ts';

const V = CONTRACT_VOCAB.length;
const B = '_'; // blank in the scripts below

/** CTC logits [frames, V] whose arg-max per frame spells `labels` (B = blank), with a runner-up so rows are not one-hot. */
function scriptedLogits(labels: readonly string[]): Float32Array {
  const out = new Float32Array(labels.length * V).fill(-5); // [frames, V]
  labels.forEach((l, t) => {
    const best = l === B ? BLANK_ID : id(l);
    out[t * V + best] = 3;
    out[t * V + (best === BLANK_ID ? id('e') : BLANK_ID)] = 1;
  });
  return out;
}

/** Feeds `logits` to a tracker in pieces of the given sizes, as encoder chunks arrive. */
function track(logits: Float32Array, pieces: readonly number[]) {
  const rows = createRows(V);
  const tracker = createSpikeTracker(V, BLANK_ID);
  let at = 0;
  for (const n of pieces) {
    rows.append(logits.subarray(at * V, (at + n) * V), n);
    at += n;
    tracker.update(rows);
  }
  return tracker;
}

const SCRIPT = [B, 'a', 'a', B, 'a', 'b', 'b', B, ' ', 'c', 'c', 'c', B, B];
const spelled = (spikes: readonly { token: number }[]) => spikes.map((s) => CONTRACT_VOCAB[s.token]).join('');

describe('CTC spike tracker', () => {
  it('marks each new non-blank label at its first frame: a repeat counts again only after a blank', () => {
    const tracker = track(scriptedLogits(SCRIPT), [SCRIPT.length]);
    expect(tracker.spikes.map((s) => [s.frame, CONTRACT_VOCAB[s.token]])).toEqual([
      [1, 'a'],
      [4, 'a'],
      [5, 'b'],
      [8, ' '],
      [9, 'c'],
    ]);
    expect(tracker.frames).toBe(SCRIPT.length);
  });

  it('gives the same spikes whatever the chunks the frames arrive in', () => {
    const logits = scriptedLogits(SCRIPT);
    const whole = track(logits, [SCRIPT.length]).spikes;
    for (const pieces of [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 3, 4, 5], [4, 4, 4, 2], [7, 0, 7]]) expect(track(logits, pieces).spikes).toEqual(whole);
  });

  it('a label held across a chunk boundary is one spike', () => {
    const labels = [B, 'q', 'q', 'q', 'q', B];
    expect(spelled(track(scriptedLogits(labels), [2, 2, 2]).spikes)).toBe('q');
  });

  it('after(frame) keeps only the spikes later than the frame', () => {
    const tracker = track(scriptedLogits(SCRIPT), [SCRIPT.length]);
    expect(spelled(tracker.after(-1))).toBe('aab c');
    expect(spelled(tracker.after(4))).toBe('b c');
    expect(spelled(tracker.after(9))).toBe('');
  });

  it('refuses rows that shrank (a restarted utterance needs a new tracker)', () => {
    const logits = scriptedLogits(SCRIPT);
    const rows = createRows(V);
    rows.append(logits, SCRIPT.length);
    const tracker = createSpikeTracker(V, BLANK_ID);
    tracker.update(rows);
    rows.clear();
    expect(() => tracker.update(rows)).toThrow(RangeError);
  });
});

describe('spikes ahead of the attention decoder (the trigger)', () => {
  // Spikes at frames 1 a, 4 a, 5 b, 8 ' ', 9 c.
  const tracker = track(scriptedLogits(SCRIPT), [SCRIPT.length]);

  it('before the decoder has stepped, every spike is ahead', () => {
    expect(spelled(spikesAhead(tracker, { pointer: undefined, lastToken: undefined }))).toBe('aab c');
  });

  it('the spikes after the pointer are the characters the decoder has not reached', () => {
    expect(spelled(spikesAhead(tracker, { pointer: 5, lastToken: id('b') }))).toBe(' c');
    expect(spelled(spikesAhead(tracker, { pointer: 9, lastToken: id('c') }))).toBe('');
  });

  it(`a spike up to ${SAME_CHARACTER_FRAMES} frame after the pointer that repeats the decoder's last character is that character`, () => {
    // The decoder emitted 'a' with its attention peak at frame 3; the CTC heard that 'a' at frame 4.
    expect(spelled(spikesAhead(tracker, { pointer: 4 - SAME_CHARACTER_FRAMES, lastToken: id('a') }))).toBe('b c');
    // A different last character: the 'a' at frame 4 is a new one.
    expect(spelled(spikesAhead(tracker, { pointer: 4 - SAME_CHARACTER_FRAMES, lastToken: id('x') }))).toBe('ab c');
    // The same character further on is a new one too (a double letter).
    expect(spelled(spikesAhead(tracker, { pointer: 3 - SAME_CHARACTER_FRAMES, lastToken: id('a') }))).toBe('ab c');
  });
});
