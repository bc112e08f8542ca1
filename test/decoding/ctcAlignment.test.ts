import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CTC_EMISSION_LAG_SECONDS, CTC_WORD_ONSET_SECONDS, ctcForcedAlign, ctcTimedTokens, ctcTimedWords, decodeSession, minimumCtcFrames, type DecodeContext, type TimedToken } from '../../src/decoding/index.ts';
import { CONTRACT_VOCAB, createVocabulary } from '../../src/model/index.ts';
import { id, scriptedSession, spell } from './scriptedSession.ts';

const V = CONTRACT_VOCAB.length;
const BLANK = 0;

/**
 * Log posteriors [frames, V] where frame t says `plan[t]` (a character, or '' for blank) with
 * probability 0.9 and shares 0.1 among the other ids.
 */
function spikes(plan: readonly string[]): Float32Array {
  const logProbs = new Float32Array(plan.length * V).fill(Math.log(0.1 / (V - 1))); // [T, V]
  plan.forEach((ch, t) => (logProbs[t * V + (ch === '' ? BLANK : id(ch))] = Math.log(0.9)));
  return logProbs;
}

const ids = (text: string) => [...text].map(id);

describe('ctcForcedAlign', () => {
  it('puts each label on the frames of its spike', () => {
    const plan = ['', 'a', 'b', 'b', '', '', 'c', ''];
    const aligned = ctcForcedAlign(spikes(plan), plan.length, V, ids('abc'), BLANK);
    expect(aligned.ok).toBe(true);
    if (!aligned.ok) return;
    expect(aligned.spans).toEqual([{ first: 1, last: 1 }, { first: 2, last: 3 }, { first: 6, last: 6 }]);
    // Every frame on its spike's symbol: 8 frames at 0.9.
    expect(aligned.logProb).toBeCloseTo(8 * Math.log(0.9), 4);
  });

  it('separates two equal labels by a blank frame, even where the posteriors merge them', () => {
    // "l" spikes on frames 2 and 3 with no blank between: CTC reads that as one "l".
    const plan = ['', '', 'l', 'l', '', ''];
    const aligned = ctcForcedAlign(spikes(plan), plan.length, V, ids('ll'), BLANK);
    expect(aligned.ok).toBe(true);
    if (!aligned.ok) return;
    const [first, second] = aligned.spans;
    expect(second.first).toBeGreaterThan(first.last + 1);
    // The same frames spell one "l" on both spike frames.
    const single = ctcForcedAlign(spikes(plan), plan.length, V, ids('l'), BLANK);
    expect(single.ok && single.spans).toEqual([{ first: 2, last: 3 }]);
  });

  it('needs one frame per label plus a blank between equal neighbours', () => {
    expect(minimumCtcFrames(ids('hello'))).toBe(6);
    expect(minimumCtcFrames(ids('abc'))).toBe(3);
    expect(minimumCtcFrames([])).toBe(0);
    const two = ctcForcedAlign(spikes(['l', 'l']), 2, V, ids('ll'), BLANK);
    expect(two.ok).toBe(false);
    if (!two.ok) expect(two.reason).toMatch(/2 frames cannot spell 2 labels \(they need 3\)/);
    const three = ctcForcedAlign(spikes(['l', '', 'l']), 3, V, ids('ll'), BLANK);
    expect(three.ok && three.spans).toEqual([{ first: 0, last: 0 }, { first: 2, last: 2 }]);
  });

  it('returns a reason, not a crash, for an impossible alignment', () => {
    const plan = ['', 'a', ''];
    const tooMany = ctcForcedAlign(spikes(plan), plan.length, V, ids('abcd'), BLANK);
    expect(tooMany).toEqual({ ok: false, reason: '3 frames cannot spell 4 labels (they need 4)' });
    const blank = ctcForcedAlign(spikes(plan), plan.length, V, [id('a'), BLANK], BLANK);
    expect(blank.ok).toBe(false);
    if (!blank.ok) expect(blank.reason).toMatch(/blank/);
    const outside = ctcForcedAlign(spikes(plan), plan.length, V, [V], BLANK);
    expect(outside.ok).toBe(false);
    // A label no frame can emit: every path has probability 0.
    const never = spikes(plan);
    for (let t = 0; t < plan.length; t++) never[t * V + id('z')] = Number.NEGATIVE_INFINITY;
    const zero = ctcForcedAlign(never, plan.length, V, ids('az'), BLANK);
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.reason).toMatch(/probability above 0/);
    expect(() => ctcForcedAlign(new Float32Array(5), 3, V, ids('a'), BLANK)).toThrow(RangeError);
    // More frames x states than the cap: a reason, not an allocation (3 frames x 3 states = 9 cells).
    expect(ctcForcedAlign(spikes(plan), plan.length, V, ids('a'), BLANK, { maxCells: 8 })).toEqual({ ok: false, reason: '3 frames x 3 states is more than the 8 cells one alignment may take' });
    expect(ctcForcedAlign(spikes(plan), plan.length, V, ids('a'), BLANK, { maxCells: 9 }).ok).toBe(true);
  });

  it('aligns nothing to an all-blank path and no frames to no labels', () => {
    const plan = ['', '', ''];
    expect(ctcForcedAlign(spikes(plan), 3, V, [], BLANK)).toEqual({ ok: true, spans: [], logProb: expect.closeTo(3 * Math.log(0.9), 4) });
    expect(ctcForcedAlign(new Float32Array(0), 0, V, [], BLANK)).toEqual({ ok: true, spans: [], logProb: 0 });
  });

  it('finds the best path that every brute-force enumeration finds (3 symbols, up to 6 frames)', () => {
    const symbols = 3; // blank, 1, 2
    const collapse = (path: readonly number[]) => path.filter((s, i) => s !== 0 && s !== path[i - 1]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((frames) =>
          fc.record({
            frames: fc.constant(frames),
            logits: fc.array(fc.double({ min: -5, max: 0, noNaN: true }), { minLength: frames * symbols, maxLength: frames * symbols }),
            labels: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 4 }),
          }),
        ),
        ({ frames, logits, labels }) => {
          const logProbs = Float32Array.from(logits);
          let best = Number.NEGATIVE_INFINITY;
          const path: number[] = [];
          const walk = (t: number, sum: number) => {
            if (t === frames) {
              const c = collapse(path);
              if (c.length === labels.length && c.every((s, i) => s === labels[i])) best = Math.max(best, sum);
              return;
            }
            for (let s = 0; s < symbols; s++) {
              path.push(s);
              walk(t + 1, sum + logProbs[t * symbols + s]);
              path.pop();
            }
          };
          walk(0, 0);
          const aligned = ctcForcedAlign(logProbs, frames, symbols, labels, 0);
          expect(aligned.ok).toBe(best > Number.NEGATIVE_INFINITY);
          if (!aligned.ok) return;
          expect(aligned.logProb).toBeCloseTo(best, 4);
          // The spans are in order, inside the frames, and the path they describe scores best.
          let previousLast = -1;
          aligned.spans.forEach((s, k) => {
            expect(s.first).toBeGreaterThan(previousLast);
            expect(s.last).toBeGreaterThanOrEqual(s.first);
            expect(s.last).toBeLessThan(frames);
            if (k > 0 && labels[k] === labels[k - 1]) expect(s.first).toBeGreaterThan(previousLast + 1);
            previousLast = s.last;
          });
          let sum = 0;
          for (let t = 0; t < frames; t++) {
            const k = aligned.spans.findIndex((s) => t >= s.first && t <= s.last);
            sum += logProbs[t * symbols + (k < 0 ? 0 : labels[k])];
          }
          expect(sum).toBeCloseTo(best, 4);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('CTC timestamps', () => {
  const token = (ch: string, start: number, end: number): TimedToken => ({ token: ch, id: id(ch), start, end });

  const ms = (x: number) => Math.round(x * 1000);
  const LAG = CTC_EMISSION_LAG_SECONDS;

  it('retimes tokens to their spike frames less the emission lag, and gives up where no path spells them', () => {
    const plan = ['', 'h', '', '', ' ', '', 'o', 'k', ''];
    const ctc = { logProbs: spikes(plan), frames: plan.length, vocabSize: V, blankId: BLANK };
    const attention = [token('h', 0, 0.04), token(' ', 0.04, 0.08), token('o', 0.08, 0.12), token('k', 0.12, 0.16)];
    const retimed = ctcTimedTokens(attention, ctc, 0.04);
    const at = (first: number, last: number) => [ms(Math.max(0, first * 0.04 - LAG)), ms(Math.max(0, (last + 1) * 0.04 - LAG))];
    expect(retimed?.map((t) => [t.token, ms(t.start), ms(t.end)])).toEqual([['h', ...at(1, 1)], [' ', ...at(4, 4)], ['o', ...at(6, 6)], ['k', ...at(7, 7)]]);
    expect(ctcTimedTokens([...attention, ...attention, ...attention], ctc, 0.04)).toBeUndefined();
  });

  it('starts a word its onset before its first character, never before the previous word ends', () => {
    const tokens = [token('a', 0.3, 0.34), token(' ', 0.38, 0.42), token('b', 0.4, 0.44), token(' ', 0.6, 0.64), token('c', 1, 1.04)];
    const words = ctcTimedWords(tokens);
    expect(words.map((w) => [w.word, ms(w.start), ms(w.end)])).toEqual([
      ['a', ms(0.3 - CTC_WORD_ONSET_SECONDS), 340],
      ['b', ms(Math.max(0.34, 0.4 - CTC_WORD_ONSET_SECONDS)), 440],
      ['c', ms(1 - CTC_WORD_ONSET_SECONDS), 1040],
    ]);
    expect(ctcTimedWords([token('a', 0.01, 0.05)])[0].start).toBe(0);
  });

  const ctx: DecodeContext = { vocab: createVocabulary([...CONTRACT_VOCAB], 'test'), frameSeconds: 0.04, attention: { left: 2, right: 3 } };
  const FRAMES = 30;
  /** CTC logits that spike "ab cd" at frames 3, 6, 12 (space), 20, 24; blank elsewhere. */
  const logits = (() => {
    const out = new Float32Array(FRAMES * V).fill(-20); // [T, V]
    const at = new Map([[3, 'a'], [6, 'b'], [12, ' '], [20, 'c'], [24, 'd']]);
    for (let t = 0; t < FRAMES; t++) out[t * V + (at.has(t) ? id(at.get(t)!) : BLANK)] = 0;
    return out;
  })();
  // Attention peaks 2 frames per step from frame 0: nowhere near the spikes.
  const session = () => ({ ...scriptedSession(spell('ab cd'), FRAMES, (p) => 2 * p), ctcLogits: logits });

  it.each(['global', 'local'] as const)('%s mode: words take the CTC times by default, in order and inside the audio', async (mode) => {
    const result = await decodeSession(session(), ctx, { mode, beam: 2, ctcWeight: 0 });
    expect(result.text).toBe('ab cd');
    // a, b, c and d spike on frames 3, 6, 20 and 24.
    const word = (first: number, last: number) => [ms(first * 0.04 - LAG - CTC_WORD_ONSET_SECONDS), ms((last + 1) * 0.04 - LAG)];
    expect(result.words.map((w) => [w.word, ms(w.start), ms(w.end)])).toEqual([['ab', ...word(3, 6)], ['cd', ...word(20, 24)]]);
    const attention = await decodeSession(session(), ctx, { mode, beam: 2, ctcWeight: 0, timestamps: 'attention' });
    expect(attention.words.map((w) => w.start)).toEqual([0, 6 * 0.04]);
    for (const r of [result, attention]) {
      r.words.forEach((w, i) => {
        expect(w.start).toBeGreaterThanOrEqual(i === 0 ? 0 : r.words[i - 1].end);
        expect(w.end).toBeGreaterThan(w.start);
        expect(w.end).toBeLessThanOrEqual(FRAMES * ctx.frameSeconds);
      });
    }
  });

  it('keeps the attention times where the session has no CTC logits', async () => {
    const result = await decodeSession(scriptedSession(spell('ab'), FRAMES, (p) => 2 * p), ctx, { ctcWeight: 0 });
    expect(result.tokens.map((t) => t.start)).toEqual([0, 0.08]);
  });

  it('refuses an unknown timestamp source by name', async () => {
    await expect(decodeSession(session(), ctx, { timestamps: 'peaks' as 'ctc' })).rejects.toThrow(/timestamps must be one of ctc, attention/);
  });
});
