import { describe, expect, it } from 'vitest';
import { decodeSession, effectiveLmWeight, lmFusionScorer, lmSymbols, attentionScorer, type DecodeContext, type FusionLm } from '../../src/decoding/index.ts';
import { ConfigError, ModelError } from '../../src/errors.ts';
import { CONTRACT_VOCAB, createVocabulary, createWordIndex, type CharLm, type LmContext } from '../../src/model/index.ts';
import { id, scriptedSession, spell } from './scriptedSession.ts';

const vocab = createVocabulary([...CONTRACT_VOCAB], 'test');
const CHARACTERS = CONTRACT_VOCAB.slice(3);
const FRAMES = 24;

const WORDS = ['abd', 'ab', 'abz'];

/** An LM that, after "ab", all but insists on "z"; uniform everywhere else. Its words: WORDS. */
const insistsOnZ: CharLm = {
  order: 4,
  characters: CHARACTERS,
  eos: CHARACTERS.length,
  outputs: CHARACTERS.length + 1,
  initial: () => [],
  advance: (context: LmContext, symbol: number) => [...context, symbol],
  logProbs(context: LmContext, out: Float64Array) {
    const text = context.map((s) => CHARACTERS[s]).join('');
    const z = CHARACTERS.indexOf('z');
    for (let s = 0; s < out.length; s++) out[s] = text === 'ab' ? Math.log(s === z ? 0.97 : 0.03 / (out.length - 1)) : -Math.log(out.length);
    return out;
  },
  isWord: (word: string) => WORDS.includes(word),
  isWordPrefix: (prefix: string) => WORDS.some((w) => w.startsWith(prefix)),
  words: createWordIndex(WORDS, CHARACTERS),
};

const base: DecodeContext = { vocab, frameSeconds: 0.04, attention: { left: 2, right: 3 } };
const withLm = (weight: number): DecodeContext => ({ ...base, lm: { model: insistsOnZ, weight, oovPenalty: 0, wordPenalty: 0 } satisfies FusionLm });
const session = () => scriptedSession(spell('abd'), FRAMES, (p) => 3 * p + 1);

// The scripted decoder has no CTC head: these are attention + LM (joint CTC + LM is the same wrapper over the joint scorer).
describe.each([
  ['global', 1],
  ['global', 4],
  ['local', 1],
  ['local', 4],
] as const)('shallow fusion, mode %s, beam %i', (mode, beam) => {
  it('at LM weight 0 is exactly the search without a language model', async () => {
    const without = await decodeSession(session(), base, { mode, beam, ctcWeight: 0 });
    const off = await decodeSession(session(), withLm(0.8), { mode, beam, ctcWeight: 0, lmWeight: 0 });
    expect(without.text).toBe('abd');
    expect(off).toEqual(without);
  });

  it('lets the language model overrule the decoder', async () => {
    expect((await decodeSession(session(), withLm(0.8), { mode, beam, ctcWeight: 0, lmWeight: 1 })).text).toBe('abz');
    // Too small a weight leaves the decoder's choice.
    expect((await decodeSession(session(), withLm(0.8), { mode, beam, ctcWeight: 0, lmWeight: 0.05 })).text).toBe('abd');
  });

  it("uses the bundle's weight when the options name none", async () => {
    const byDefault = await decodeSession(session(), withLm(1), { mode, beam, ctcWeight: 0 });
    expect(byDefault).toEqual(await decodeSession(session(), withLm(0.8), { mode, beam, ctcWeight: 0, lmWeight: 1 }));
    expect(byDefault.text).toBe('abz');
  });
});

describe('shallow fusion options', () => {
  it('needs a language model for a weight above 0, and says so', async () => {
    await expect(decodeSession(session(), base, { ctcWeight: 0, lmWeight: 0.5 })).rejects.toThrow(ConfigError);
    await expect(decodeSession(session(), base, { ctcWeight: 0, lmWeight: 0.5 })).rejects.toMatchObject({ input: 'lmWeight' });
    expect(effectiveLmWeight({}, base)).toBe(0);
    expect(effectiveLmWeight({}, withLm(0.4))).toBe(0.4);
    expect(effectiveLmWeight({ lmWeight: 0 }, withLm(0.4))).toBe(0);
  });

  it.each([-0.1, Number.NaN, Number.POSITIVE_INFINITY, 11])('rejects lmWeight %s', async (lmWeight) => {
    await expect(decodeSession(session(), withLm(0.5), { ctcWeight: 0, lmWeight })).rejects.toMatchObject({ input: 'lmWeight' });
  });

  it('adds weight * ln p_lm to each token, <eos> scored as the end of the sentence, banned tokens kept out', () => {
    const symbols = lmSymbols(vocab, insistsOnZ, 2);
    expect(symbols[0]).toBe(-1); // <blank>
    expect(symbols[1]).toBe(-1); // <sos>
    expect(symbols[2]).toBe(insistsOnZ.eos);
    expect(symbols[id('z')]).toBe(CHARACTERS.indexOf('z'));
    const fused = lmFusionScorer(attentionScorer, insistsOnZ, 0.5, symbols);
    let state = fused.init();
    for (const ch of 'ab') state = fused.advance(state, id(ch));
    const attention = new Float32Array(vocab.size).fill(Math.log(1 / 29));
    attention[0] = Number.NEGATIVE_INFINITY;
    attention[1] = Number.NEGATIVE_INFINITY;
    const out = fused.score(state, attention, new Float32Array(vocab.size));
    expect(out[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(out[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(out[id('z')]).toBeCloseTo(Math.log(1 / 29) + 0.5 * Math.log(0.97), 5);
    expect(out[2]).toBeCloseTo(Math.log(1 / 29) + 0.5 * Math.log(0.03 / 28), 5);
  });

  it('takes the out-of-vocabulary penalty once per word, where it leaves the vocabulary', () => {
    const symbols = lmSymbols(vocab, insistsOnZ, 2);
    const fused = lmFusionScorer(attentionScorer, insistsOnZ, 1, symbols, 3);
    const plain = lmFusionScorer(attentionScorer, insistsOnZ, 1, symbols, 0);
    const attention = new Float32Array(vocab.size).fill(-1);
    const after = (scorer: typeof fused, text: string) => scorer.score([...text].reduce((st, ch) => scorer.advance(st, id(ch)), scorer.init()), attention, new Float32Array(vocab.size));
    const a = after(fused, 'a');
    const a0 = after(plain, 'a');
    expect(a[id('b')]).toBeCloseTo(a0[id('b')], 6); // "ab" begins a word
    expect(a[id('c')]).toBeCloseTo(a0[id('c')] - 3, 6); // "ac" begins none
    expect(a[id(' ')]).toBeCloseTo(a0[id(' ')] - 3, 6); // "a" is no word
    expect(a[2]).toBeCloseTo(a0[2] - 3, 6); // nor at the end of the sentence
    const ab = after(fused, 'ab');
    expect(ab[id(' ')]).toBeCloseTo(after(plain, 'ab')[id(' ')], 6); // "ab" is a word
    // Once outside, the rest of the word costs nothing more; the next word starts afresh.
    const ac = after(fused, 'ac');
    expect(ac[id('x')]).toBeCloseTo(after(plain, 'ac')[id('x')], 6);
    expect(ac[id(' ')]).toBeCloseTo(after(plain, 'ac')[id(' ')], 6);
    expect(after(fused, 'ac ')[id('q')]).toBeCloseTo(after(plain, 'ac ')[id('q')] - 3, 6);
  });

  it('takes the word penalty at every space, and only there', () => {
    const symbols = lmSymbols(vocab, insistsOnZ, 2);
    const attention = new Float32Array(vocab.size).fill(-1);
    const scores = (penalty: number) => {
      const scorer = lmFusionScorer(attentionScorer, insistsOnZ, 0.5, symbols, 0, penalty);
      return scorer.score(scorer.advance(scorer.init(), id('q')), attention, new Float32Array(vocab.size));
    };
    const [with2, without] = [scores(2), scores(0)];
    for (let c = 2; c < vocab.size; c++) expect(with2[c]).toBeCloseTo(without[c] - (c === id(' ') ? 2 : 0), 6);
  });

  it('refuses a language model that cannot spell a token of the vocabulary', () => {
    const noApostrophe: CharLm = { ...insistsOnZ, characters: CHARACTERS.filter((c) => c !== "'") };
    expect(() => lmSymbols(vocab, noApostrophe, 2)).toThrow(ModelError);
  });
});
