import { describe, expect, it } from 'vitest';
import { PARTIAL_RIGHT_FRAMES, partialWindow, validateStreamingOptions } from '../../src/streaming/options.ts';
import { finalDecodingOptions, firstUtterance, nextUtterance, shownTimes, streamTokens, utteranceEndSeconds, windowPosition } from '../../src/streaming/utterance.ts';
import { DEFAULT_FRONTEND } from '../../src/features/config.ts';

const token = (t: string, start: number, end: number) => ({ token: t, id: 0, start, end });
const hop = { hopSeconds: 0.01 };

describe('utterance values', () => {
  it('each utterance starts where the previous one was cut, in stream frames and seconds', () => {
    const first = firstUtterance(undefined);
    first.checkedFeatures = 40;
    first.emittedAt.push(0.5);
    const second = nextUtterance(first, 120, hop, undefined);
    const third = nextUtterance(second, 80, hop, undefined);
    expect([second.index, second.startFeature, second.checkedFeatures, second.emittedAt]).toEqual([1, 120, 0, []]);
    expect([third.index, third.startFeature]).toEqual([2, 200]);
    expect(third.offsetSeconds).toBeCloseTo(2, 12);
    // Times within the utterance are shifted by its offset.
    expect(windowPosition(third, 0.04, { start: 1, end: 5 }, 3)).toEqual({ start: 2.04, end: 2.2, pointer: 2.12 });
    expect(streamTokens(third, [token('a', 0.08, 0.12)], [2.5])).toEqual([{ token: 'a', start: 2.08, end: 2.12, emittedAt: 2.5 }]);
  });

  it('a character the partials showed keeps its time; from the first that differs, the final shows them now', () => {
    const shown = [{ token: 'h', start: 0, end: 0.04, emittedAt: 0.3 }, { token: 'e', start: 0.04, end: 0.08, emittedAt: 0.4 }, { token: 'x', start: 0.08, end: 0.12, emittedAt: 0.5 }];
    const decoded = [token('h', 0, 0.04), token('e', 0.04, 0.08), token('y', 0.08, 0.12), token('x', 0.12, 0.16)];
    expect(shownTimes(shown, decoded, 9)).toEqual([0.3, 0.4, 9, 9]);
    expect(shownTimes([], decoded.slice(0, 1), 9)).toEqual([9]);
  });

  it("ends at the last analysis window's end, and an utterance of no frames where it starts", () => {
    expect(utteranceEndSeconds(DEFAULT_FRONTEND, 1, 0)).toBe(1);
    expect(utteranceEndSeconds(DEFAULT_FRONTEND, 1, 100)).toBeCloseTo(1 + (99 * 160 + 400) / 16000, 12);
  });

  it("decodes each final with the stream's options, windows only in local mode", () => {
    const local = finalDecodingOptions(validateStreamingOptions({ mode: 'local', beam: 3, ctcWeight: 0.5 }), { left: 2, right: 1 });
    expect(local).toMatchObject({ mode: 'local', beam: 3, ctcWeight: 0.5, left: 2, right: 1, returnAttention: false });
    expect('lmWeight' in local).toBe(false);
    const global = finalDecodingOptions(validateStreamingOptions({ mode: 'global', lmWeight: 0.2, returnAttention: true, onSegment: () => {} }), { left: 2, right: 1 });
    expect(global).toMatchObject({ mode: 'global', lmWeight: 0.2, returnAttention: true });
    expect('left' in global).toBe(false);
  });

  it("partial text looks ahead at most PARTIAL_RIGHT_FRAMES unless the caller sets right; finals keep the bundle's window", () => {
    const bundle = { left: 10, right: PARTIAL_RIGHT_FRAMES + 4 };
    const o = validateStreamingOptions({ mode: 'local' });
    expect(partialWindow(o, bundle)).toEqual({ left: 10, right: PARTIAL_RIGHT_FRAMES });
    expect(partialWindow(o, { left: 4, right: 3 })).toEqual({ left: 4, right: 3 }); // a narrower bundle window stays
    expect(partialWindow(validateStreamingOptions({ mode: 'local', left: 5, right: 9 }), bundle)).toEqual({ left: 5, right: 9 });
    expect(finalDecodingOptions(o, bundle)).toMatchObject({ left: 10, right: PARTIAL_RIGHT_FRAMES + 4 });
  });
});
