import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCtcPrefixScorer, ctcLogSoftmax, decodeSession, effectiveLmWeight, effectiveWordLmWeight, jointCtcScorer, lmFusionScorer, lmSymbols, attentionScorer, type DecodeContext, type FusionLm, type HypothesisScorer } from '../../src/decoding/index.ts';
import { validateDecodingOptions } from '../../src/decoding/options.ts';
import { ConfigError, ModelError } from '../../src/errors.ts';
import { CONTRACT_VOCAB, createVocabulary, createWordIndex, type CharLm, type LmContext } from '../../src/model/index.ts';
import { parseWordLm, type WordLm } from '../../src/model/wordLm.ts';
import { id, scriptedSession, spell, type Script } from './scriptedSession.ts';

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

/** The builder's tiny word LM (order 3; its words: the cat sat on the mat, a dog ran, ...) and what the builder computed of it. */
const CASES = resolve(import.meta.dirname, '../cases');
const wordLm: WordLm = parseWordLm(readFileSync(resolve(CASES, 'wordLm-tiny.bin')), 'wordLm-tiny.bin');
const wordCases = JSON.parse(readFileSync(resolve(CASES, 'wordLm.json'), 'utf8')) as { cases: { context: string[]; probabilities: number[]; unknown: number }[] };
/** The builder's p(word | context) (word undefined: </s>); a case matches on the last order - 1 symbols, <s> first. */
const builderP = (context: string[], word: string | undefined) => {
  const tail = (words: string[]) => ['<s>', ...words].slice(-(wordLm.order - 1)).join(' ');
  const c = wordCases.cases.find((x) => tail(x.context) === tail(context));
  if (c === undefined) throw new Error(`no shared case for the context ${tail(context)}`);
  return word === undefined ? c.probabilities[wordLm.eos]! : wordLm.symbolOf(word) === wordLm.unknown ? c.unknown : c.probabilities[wordLm.symbolOf(word)]!;
};
const withWordLm = (weight: number, wordWeight: number): DecodeContext => ({ ...base, lm: { model: insistsOnZ, weight, oovPenalty: 0, wordPenalty: 0, word: { model: wordLm, weight: wordWeight } } });

/** Spells "the cap" (p 0.55 at its last letter) or "the cat" (0.45), then <eos>: the word LM knows only "cat". */
const capOrCat: Script = (prefix) => {
  const text = prefix.map((t) => CONTRACT_VOCAB[t]).join('');
  if (text === 'the ca') return new Map([[id('p'), 0.55], [id('t'), 0.45]]);
  if (text === 'the cap' || text === 'the cat') return new Map([[2, 0.9], [id('s'), 0.1]]);
  return new Map([['the ca'.startsWith(text) ? id('the ca'[text.length]!) : 2, 0.9], [id('q'), 0.1]]);
};
const capOrCatSession = () => scriptedSession(capOrCat, FRAMES, (p) => 3 * p + 1);

describe('word LM fusion', () => {
  const symbols = lmSymbols(vocab, insistsOnZ, 2);
  const attention = new Float32Array(vocab.size).fill(-1);
  attention[0] = Number.NEGATIVE_INFINITY;
  attention[1] = Number.NEGATIVE_INFINITY;
  const scoresAfter = (wordWeight: number | undefined, text: string, penalties = { oov: 0, word: 0 }) => {
    const word = wordWeight === undefined ? undefined : { model: wordLm, weight: wordWeight };
    const scorer = lmFusionScorer(attentionScorer, insistsOnZ, 0.5, symbols, penalties.oov, penalties.word, word);
    const state = [...text].reduce((st, ch) => scorer.advance(st, id(ch)), scorer.init());
    return scorer.score(state, attention, new Float32Array(vocab.size));
  };
  const texts = ['', 'the', 'the cat', 'the cat ', 'the zebra', 'a dog ran on', 'ab'];

  it.each(texts)('at word LM weight 0 scores %j exactly as the scorer without a word LM', (text) => {
    expect(scoresAfter(0, text)).toEqual(scoresAfter(undefined, text));
    expect(scoresAfter(0, text, { oov: 2, word: 1 })).toEqual(scoresAfter(undefined, text, { oov: 2, word: 1 }));
  });

  it('adds w ln p_word(word | previous words) at the space that ends it, and at <eos> also w ln p_word(</s> | ... word)', () => {
    const w = 0.7;
    const eos = 2;
    const space = id(' ');
    const check = (text: string, previous: string[], word: string | undefined) => {
      const on = scoresAfter(w, text);
      const off = scoresAfter(undefined, text);
      const before = previous.reduce((c, x) => wordLm.advance(c, wordLm.symbolOf(x)), wordLm.initial());
      const here = word === undefined ? 0 : w * wordLm.logProb(before, wordLm.symbolOf(word));
      const after = word === undefined ? before : wordLm.advance(before, wordLm.symbolOf(word));
      const end = here + w * wordLm.logProb(after, wordLm.eos);
      // Bit for bit: the scorer adds these to its float32 scores; every other token is untouched.
      expect(on[space]).toBe(Math.fround(off[space]! + here));
      expect(on[eos]).toBe(Math.fround(off[eos]! + end));
      for (let c = 3; c < vocab.size; c++) if (c !== space) expect(on[c]).toBe(off[c]);
      // The same values as the builder's (float32 storage: ~1e-6).
      if (word !== undefined) expect(on[space]! - off[space]!).toBeCloseTo(w * Math.log(builderP(previous, word)), 5);
      expect(on[eos]! - off[eos]!).toBeCloseTo((word === undefined ? 0 : w * Math.log(builderP(previous, word))) + w * Math.log(builderP(word === undefined ? previous : [...previous, word], undefined)), 5);
      return on[space]! - off[space]!;
    };
    const cat = check('the cat', ['the'], 'cat');
    expect(cat).toBeCloseTo(w * Math.log(builderP(['the'], 'cat')), 5);
    expect(cat).not.toBeCloseTo(w * Math.log(builderP([], 'cat')), 3); // the context counts
    check('the', [], 'the');
    check('nine the mat', ['nine', 'the'], 'mat');
    // A word outside the vocabulary gets the base's share.
    expect(check('the zebra', ['the'], 'zebra')).toBeCloseTo(w * Math.log(builderP(['the'], 'zebra')), 5);
    // Just after a space no word has begun: a second space adds nothing, <eos> ends the sentence after "cat".
    const on = scoresAfter(w, 'the cat ');
    const off = scoresAfter(undefined, 'the cat ');
    expect(on[space]).toBe(off[space]);
    expect(on[eos]! - off[eos]!).toBeCloseTo(w * Math.log(builderP(['the', 'cat'], undefined)), 5);
  });

  it('chooses the word the word LM knows; weight 0 keeps the decoder\'s choice; the bundle\'s weight is the default', async () => {
    const options = { beam: 4, ctcWeight: 0, lmWeight: 0.5 } as const;
    const plain = await decodeSession(capOrCatSession(), withLm(0.5), options);
    expect(plain.text).toBe('the cap');
    expect(await decodeSession(capOrCatSession(), withWordLm(0.5, 1), { ...options, wordLmWeight: 0 })).toEqual(plain);
    const fused = await decodeSession(capOrCatSession(), withWordLm(0.5, 0.3), { ...options, wordLmWeight: 1 });
    expect(fused.text).toBe('the cat');
    expect(await decodeSession(capOrCatSession(), withWordLm(0.5, 1), options)).toEqual(fused);
    // Beside the character LM only: lmWeight 0 switches both off, the bundle's word weight too.
    expect(await decodeSession(capOrCatSession(), withWordLm(0.5, 1), { ...options, lmWeight: 0 })).toEqual(await decodeSession(capOrCatSession(), base, { ...options, lmWeight: 0 }));
  });

  it('a word LM weight above 0 that cannot apply is a ConfigError naming wordLmWeight', async () => {
    for (const [ctx, options, message] of [
      [withLm(0.5), { wordLmWeight: 0.5 }, /wordLmWeight 0.5 needs a word language model/], // a character LM but no word LM
      [base, { wordLmWeight: 0.5 }, /wordLmWeight 0.5 needs a word language model/], // no LM at all
      [withWordLm(0.5, 0.2), { lmWeight: 0, wordLmWeight: 0.5 }, /lmWeight 0 switches off/], // the character LM switched off
    ] as const) {
      await expect(decodeSession(session(), ctx, { ctcWeight: 0, ...options })).rejects.toThrow(ConfigError);
      await expect(decodeSession(session(), ctx, { ctcWeight: 0, ...options })).rejects.toMatchObject({ input: 'wordLmWeight', message: expect.stringMatching(message) });
    }
    // Weight 0, or none asked for, is fine anywhere.
    expect(effectiveWordLmWeight({ wordLmWeight: 0 }, base)).toBe(0);
    expect(effectiveWordLmWeight({}, withLm(0.5))).toBe(0);
    expect(effectiveWordLmWeight({}, withWordLm(0.5, 0.2))).toBe(0.2);
    expect(effectiveWordLmWeight({ wordLmWeight: 0.7 }, withWordLm(0.5, 0.2))).toBe(0.7);
    expect(effectiveWordLmWeight({ lmWeight: 0 }, withWordLm(0.5, 0.2))).toBe(0);
  });

  it.each([-0.1, Number.NaN, Number.POSITIVE_INFINITY, 10.5, '0.5'])('validateDecodingOptions rejects wordLmWeight %s, naming it', (wordLmWeight) => {
    expect(() => validateDecodingOptions({ wordLmWeight: wordLmWeight as number })).toThrow(ConfigError);
    expect(() => validateDecodingOptions({ wordLmWeight: wordLmWeight as number })).toThrow(expect.objectContaining({ input: 'wordLmWeight' }));
  });

  it('validateDecodingOptions keeps a good wordLmWeight', () => {
    expect(validateDecodingOptions({ wordLmWeight: 0 }).wordLmWeight).toBe(0);
    expect(validateDecodingOptions({ wordLmWeight: 10 }).wordLmWeight).toBe(10);
    expect(validateDecodingOptions({}).wordLmWeight).toBeUndefined();
  });
});

// The pruned search (candidateMerge.ts) asks a fused scorer for bounds of every token and then
// exact scores of a few: the bounds must never be below score()'s values, the exact scores must
// be score()'s bit for bit, and each slot must keep its own hypothesis.
describe('pruned scoring of the fused scorer', () => {
  const FR = 30;
  const raw = new Float32Array(FR * vocab.size); // [T, V] CTC logits saying "the cat sat" under noise
  for (let i = 0; i < raw.length; i++) raw[i] = -4 * ((Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32);
  for (let t = 0; t < FR; t++) raw[t * vocab.size] += 4;
  [...'the cat sat'].forEach((ch, i) => (raw[(1 + 2 * i) * vocab.size + id(ch)] += 9));
  const ctc = createCtcPrefixScorer(ctcLogSoftmax(raw, FR, vocab.size), FR, vocab.size, 0, 2);
  const attention = new Float32Array(vocab.size);
  for (let c = 0; c < vocab.size; c++) attention[c] = -1 - ((c * 7) % 11) / 3;
  attention[0] = attention[1] = Number.NEGATIVE_INFINITY;
  const texts = ['', 't', 'the', 'the ', 'the ca', 'the cat', 'the cat ', 'the zq', 'a dog ran', 'sat'];

  it.each([
    ['word LM, OOV and word penalties', { model: wordLm, weight: 0.7 }, 2, 1.5],
    ['no word LM', undefined, 2, 1.5],
    ['a light word LM only', { model: wordLm, weight: 0.02 }, 0, 0],
  ] as const)('bounds every token from above and scores each exactly as score() (%s)', (_name, word, oov, wordPenalty) => {
    // Over the joint scorer, and over one whose bounds are its scores (so that only the LM's bounds are tested).
    const rows: Float32Array[] = [];
    const tight: HypothesisScorer = {
      ...attentionScorer,
      bound: (_state, att, slot, out) => {
        rows[slot] = att;
        out.set(att);
        return out;
      },
      exact: (slot, token) => rows[slot][token],
    };
    // Loose only where a term is bounded: the CTC term, or the word LM's at a space and <eos>.
    for (const inner of [jointCtcScorer(ctc, 0.3, [0, 1]), tight]) check(lmFusionScorer(inner, insistsOnZ, 0.5, lmSymbols(vocab, insistsOnZ, 2), oov, wordPenalty, word), inner !== tight || word !== undefined);
  });
  const check = (scorer: HypothesisScorer, bounded: boolean) => {
    const states = texts.map((text) => [...text].reduce((st, ch) => scorer.advance(st, id(ch)), scorer.init()));
    const bounds = states.map((state, slot) => scorer.bound!(state, attention, slot, new Float32Array(vocab.size)));
    let loose = 0;
    states.forEach((state, slot) => {
      const full = scorer.score(state, attention, new Float32Array(vocab.size));
      for (let c = 0; c < vocab.size; c++) {
        expect(Object.is(scorer.exact!(slot, c), full[c])).toBe(true);
        expect(bounds[slot][c] >= full[c] || Object.is(full[c], Number.NEGATIVE_INFINITY)).toBe(true);
        if (bounds[slot][c] > full[c]) loose++;
      }
    });
    if (bounded) expect(loose).toBeGreaterThan(0);
    else expect(loose).toBe(0);
  };
});
