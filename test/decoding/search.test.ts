import { describe, expect, it } from 'vitest';
import { decodeSession, maxOutputLength, validateDecodingOptions, DEFAULT_DECODING_OPTIONS, type DecodeContext } from '../../src/decoding/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { CONTRACT_VOCAB, createVocabulary } from '../../src/model/index.ts';
import { id, scriptedSession, spell, type Script } from './scriptedSession.ts';

const ctx: DecodeContext = { vocab: createVocabulary([...CONTRACT_VOCAB], 'test'), frameSeconds: 0.04, attention: { left: 2, right: 3 } };
const FRAMES = 40;
/** These scripted sessions have no CTC head: the attention search alone (ctc weight 0). */
const decodeAttention: typeof decodeSession = (session, context, options = {}) => decodeSession(session, context, { ctcWeight: 0, ...options });

describe.each([
  ['global', 1],
  ['global', 4],
  ['local', 1],
  ['local', 3],
] as const)('mode %s, beam %i', (mode, beam) => {
  it('decodes a scripted spelling exactly, with times from the attention peaks', async () => {
    const text = "it's a test";
    const session = scriptedSession(spell(text), FRAMES, (p) => p); // peak moves one frame per token
    const result = await decodeAttention(session, ctx, { mode, beam, returnAttention: true });
    expect(result.text).toBe(text);
    expect(result.ids).toEqual([...text].map(id));
    expect(result.tokens.map((t) => t.token).join('')).toBe(text);
    result.tokens.forEach((t, i) => {
      expect(t.start).toBeCloseTo(i * 0.04, 9);
      expect(t.end).toBeGreaterThan(t.start);
    });
    expect(result.words.map((w) => w.word)).toEqual(["it's", 'a', 'test']);
    expect(result.words[2].start).toBeCloseTo(7 * 0.04, 9);
    // The attention matrix puts each token's weight at its absolute frame.
    const att = result.attention!;
    expect([att.rows, att.cols]).toEqual([text.length, FRAMES]);
    for (let r = 0; r < att.rows; r++) {
      const row = att.data.subarray(r * FRAMES, (r + 1) * FRAMES);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(row[r]).toBe(1);
    }
    // One batched call per output step, never more rows than the beam; the search stops
    // before the length cap once no live hypothesis can win.
    expect(session.calls.length).toBe(result.decoderSteps);
    if (beam === 1) expect(result.decoderSteps).toBe(text.length + 1);
    else expect(result.decoderSteps).toBeLessThan(maxOutputLength(FRAMES, DEFAULT_DECODING_OPTIONS));
    for (const rows of session.calls) expect(rows.length).toBeLessThanOrEqual(beam);
    expect(session.calls[0]).toEqual([{ token: 1, parent: -1, window: session.calls[0][0].window }]);
    for (const rows of session.calls)
      for (const { window } of rows) {
        if (mode === 'local') expect(window.end - window.start).toBeLessThanOrEqual(ctx.attention.left + ctx.attention.right + 1);
        else expect(window).toEqual({ start: 0, end: FRAMES });
      }
    const expectedMean = mode === 'global' ? FRAMES : undefined;
    if (expectedMean !== undefined) expect(result.framesAttendedPerToken).toBe(expectedMean);
    else expect(result.framesAttendedPerToken).toBeLessThanOrEqual(ctx.attention.left + ctx.attention.right + 1);
  });
});

describe('beam search', () => {
  // Greedy takes "a" (0.55) and is then stuck with a spread-out continuation; "b" is the better whole sequence.
  const trap: Script = (prefix) => {
    const key = prefix.map((t) => CONTRACT_VOCAB[t]).join('');
    if (key === '') return new Map([[id('a'), 0.55], [id('b'), 0.45]]);
    if (key === 'a') return new Map([[2, 0.3], [id('c'), 0.3], [id('d'), 0.4]]);
    if (key === 'b') return new Map([[2, 0.95], [id('e'), 0.05]]);
    return new Map([[2, 1]]);
  };

  it.each([0, 1])('finds a higher-scoring sequence than greedy (lengthPenalty %i)', async (lengthPenalty) => {
    const greedy = await decodeAttention(scriptedSession(trap, FRAMES), ctx, { beam: 1, lengthPenalty });
    const beam = await decodeAttention(scriptedSession(trap, FRAMES), ctx, { beam: 3, lengthPenalty });
    expect(greedy.text).toBe('ad');
    expect(beam.text).toBe('b');
    expect(beam.logProb).toBeGreaterThan(greedy.logProb);
    expect(beam.logProb).toBeCloseTo(Math.log(0.45) + Math.log(0.95), 5);
  });

  it('ranks equal scores by hypothesis, then by token (a stable order), when filling the beam', async () => {
    // Every two-letter prefix of a, b then x, y scores exactly the same (0.5 x 0.5); beam 2 keeps
    // "ax" and "ay": the first hypothesis's candidates before the second's, each in token order.
    const [a, b, x, y] = ['a', 'b', 'x', 'y'].map(id);
    const script: Script = (prefix) => {
      if (prefix.length === 0) return new Map([[b, 0.5], [a, 0.5]]);
      if (prefix.length === 1) return new Map([[y, 0.5], [x, 0.5]]);
      return new Map([[2, 1]]);
    };
    const session = scriptedSession(script, FRAMES);
    const result = await decodeAttention(session, ctx, { mode: 'global', beam: 2 });
    expect(session.calls[1].map((r) => r.token)).toEqual([a, b]);
    expect(session.calls[2].map((r) => [r.token, r.parent])).toEqual([
      [x, 0],
      [y, 0],
    ]);
    expect(result.text).toBe('ax');
  });

  it('never emits <blank> or <sos>, even when the network prefers them', async () => {
    const script: Script = (prefix) => (prefix.length < 3 ? new Map([[0, 0.5], [1, 0.3], [id('k'), 0.2]]) : new Map([[2, 1]]));
    for (const beam of [1, 2]) {
      const result = await decodeAttention(scriptedSession(script, FRAMES), ctx, { beam });
      expect(result.text).toBe('kkk');
      expect(result.ids.every((t) => t >= 3)).toBe(true);
    }
  });

  it('stops at the length cap when <eos> never comes', async () => {
    const endless: Script = () => new Map([[id('o'), 0.9], [2, 0.01]]);
    const options = { beam: 1, maxTokensPerFrame: 0.5, maxLengthSlack: 3 };
    const cap = maxOutputLength(10, { ...DEFAULT_DECODING_OPTIONS, ...options });
    const result = await decodeAttention(scriptedSession(endless, 10), ctx, options);
    expect(cap).toBe(8);
    expect(result.text).toBe('o'.repeat(cap));
    expect(result.decoderSteps).toBe(cap);
  });

  describe('endMargin', () => {
    // "b" ends at once and well (mean score per token -0.40); after "a" no step is better than
    // 0.4, leaving its hypotheses at -0.80 per token or worse, and then, if followed, come
    // near-certain steps that bring "aq..." to -0.07.
    const [a, b, o, p, q] = ['a', 'b', 'o', 'p', 'q'].map(id);
    const script: Script = (prefix) => {
      if (prefix.length === 0) return new Map([[a, 0.5], [b, 0.5]]);
      if (prefix[0] === b) return new Map([[2, 0.9], [id('e'), 0.1]]);
      if (prefix.length === 1) return new Map([[o, 0.3], [p, 0.3], [q, 0.4]]);
      return prefix.length < 22 ? new Map([[o, 0.999], [2, 0.001]]) : new Map([[2, 0.999], [o, 0.001]]);
    };

    it('ends the search once every live hypothesis is that far below the best finished one', async () => {
      const early = scriptedSession(script, FRAMES);
      const result = await decodeAttention(early, ctx, { beam: 2, endMargin: 0.3 });
      expect(result.text).toBe('b');
      expect(result.decoderSteps).toBe(2);
      expect(early.calls.length).toBe(2);
    });

    it('is a heuristic: a live hypothesis that would have recovered is dropped; Infinity keeps only the exact rule', async () => {
      const exact = await decodeAttention(scriptedSession(script, FRAMES), ctx, { beam: 2, endMargin: Number.POSITIVE_INFINITY });
      expect(exact.text).toBe('aq' + 'o'.repeat(20));
      expect(exact.decoderSteps).toBeGreaterThan(22);
      const wide = await decodeAttention(scriptedSession(script, FRAMES), ctx, { beam: 2, endMargin: 1 });
      expect(wide.text).toBe(exact.text); // -0.80 is within 1 of -0.40
    });

    it('is validated', () => {
      expect(validateDecodingOptions({}).endMargin).toBe(0.1);
      for (const bad of [-0.1, Number.NaN, '0.3'])
        expect(() => validateDecodingOptions({ endMargin: bad as number })).toThrow(/endMargin must be a number >= 0/);
    });
  });

  it('collapses stray spaces in the text but keeps them as tokens', async () => {
    const result = await decodeAttention(scriptedSession(spell(' a  b '), FRAMES), ctx, { beam: 2 });
    expect(result.text).toBe('a b');
    expect(result.tokens.length).toBe(6);
    expect(result.words.map((w) => w.word)).toEqual(['a', 'b']);
  });
});

describe('validateDecodingOptions', () => {
  it('fills defaults and freezes', () => {
    const o = validateDecodingOptions({ beam: 2, left: undefined });
    expect(o).toEqual({ ...DEFAULT_DECODING_OPTIONS, beam: 2 });
    expect(Object.isFrozen(o)).toBe(true);
  });
  it.each([
    [{ beam: 0 }, 'beam'],
    [{ ctcWeight: -0.1 }, 'ctcWeight'],
    [{ ctcWeight: 1.5 }, 'ctcWeight'],
    [{ ctcWeight: Number.NaN }, 'ctcWeight'],
    [{ beam: 2.5 }, 'beam'],
    [{ beam: 1000 }, 'beam'],
    [{ mode: 'sliding' as never }, 'mode'],
    [{ mode: 'local' as const, left: -1 }, 'left'],
    [{ beamWidth: 8 } as never, 'beamWidth'], // misspelt: refused, never the default beam in silence
    [{ segmentation: false } as never, 'segmentation'], // a transcribe() option is not a decoding one
    [{ mode: 'local' as const, right: 0.5 }, 'right'],
    [{ mode: 'global' as const, left: 3 }, 'left'],
    [{ lengthPenalty: -1 }, 'lengthPenalty'],
    [{ maxTokensPerFrame: 0 }, 'maxTokensPerFrame'],
    [{ maxLengthSlack: -2 }, 'maxLengthSlack'],
    [{ returnAttention: 'yes' as never }, 'returnAttention'],
  ])('rejects %j naming %s', (options, name) => {
    let caught: unknown;
    try {
      validateDecodingOptions(options);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).input).toBe(name);
  });
  it('names the known options when refusing an unknown one, and refuses a non-object', () => {
    expect(() => validateDecodingOptions({ lm_weight: 0.3 } as never)).toThrow(/unknown decoding option "lm_weight" \(known: mode, beam, .*lmWeight/);
    expect(() => validateDecodingOptions('beam=4' as never)).toThrow(ConfigError);
  });
});
