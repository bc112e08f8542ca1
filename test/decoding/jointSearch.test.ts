import { describe, expect, it } from 'vitest';
import { assembleStrategies, beamSearch, ctcLogSoftmax, decodeSession, jointCtcScorer, validateDecodingOptions, type CtcPrefixScorer, type DecodeContext, type DecoderSession } from '../../src/decoding/index.ts';
import { referenceCtcPrefixScorer } from './ctcPrefixReference.ts';
import { ConfigError } from '../../src/errors.ts';
import { CONTRACT_VOCAB, createVocabulary } from '../../src/model/index.ts';
import { id, scriptedSession, spell, type Script } from './scriptedSession.ts';

const ctx: DecodeContext = { vocab: createVocabulary([...CONTRACT_VOCAB], 'test'), frameSeconds: 0.04, attention: { left: 2, right: 3 } };
const V = CONTRACT_VOCAB.length;
const FRAMES = 24;

/**
 * CTC logits [FRAMES, V] that spike `text` one character every 3 frames, blank elsewhere, and
 * leave every other path far less likely than the scripted decoder's unlisted tokens (-30).
 */
function ctcSaying(text: string): Float32Array {
  const logits = new Float32Array(FRAMES * V).fill(-50); // [T, V]
  for (let t = 0; t < FRAMES; t++) logits[t * V] = 0; // <blank>
  [...text].forEach((ch, i) => {
    const t = 1 + 3 * i;
    logits[t * V] = -50;
    logits[t * V + id(ch)] = 0;
  });
  return logits;
}

const withCtc = (session: DecoderSession, text: string): DecoderSession => ({ ...session, step: session.step, ctcLogits: ctcSaying(text) });

/** Attention that wants to stop after "ab" but would say "c" next with less confidence. */
const stopsEarly: Script = (prefix) => {
  const key = prefix.map((t) => CONTRACT_VOCAB[t]).join('');
  if (key === '') return new Map([[id('a'), 0.9], [id('b'), 0.1]]);
  if (key === 'a') return new Map([[id('b'), 0.9], [id('a'), 0.1]]);
  if (key === 'ab') return new Map([[2, 0.6], [id('c'), 0.35], [id('d'), 0.05]]);
  return new Map([[2, 0.9], [id('c'), 0.1]]);
};

/** Attention that never ends on its own: "abc" over and over. */
const runsOn: Script = (prefix) => new Map([[id('abc'[prefix.length % 3]), 0.8], [2, 0.05], [id('z'), 0.15]]);

describe.each([
  ['global', 1],
  ['global', 4],
  ['local', 1],
  ['local', 4],
] as const)('joint CTC/attention search, mode %s, beam %i', (mode, beam) => {
  const run = (script: Script, ctcText: string, ctcWeight: number) => decodeSession(withCtc(scriptedSession(script, FRAMES, (p) => 3 * p + 1), ctcText), ctx, { mode, beam, ctcWeight });

  it('follows the attention decoder alone at ctc weight 0', async () => {
    expect((await run(spell('abd'), 'abc', 0)).text).toBe('abd');
    expect((await run(stopsEarly, 'abc', 0)).text).toBe('ab');
  });

  it('lets the CTC head overrule a wrong character', async () => {
    expect((await run(spell('abd'), 'abc', 0.5)).text).toBe('abc');
  });

  it('scores <eos> by CTC: no ending while audio is unexplained', async () => {
    expect((await run(stopsEarly, 'abc', 0.5)).text).toBe('abc');
  });

  it('scores <eos> by CTC: no running on past the end', async () => {
    const result = await run(runsOn, 'abc', 0.5);
    expect(result.text).toBe('abc');
    expect(result.decoderSteps).toBeLessThanOrEqual(4 + 1);
  });

  it('is CTC prefix search at weight 1', async () => {
    expect((await run(spell('xyz'), 'abc', 1)).text).toBe('abc');
  });
});

describe('joint search options', () => {
  it('needs CTC logits when the ctc weight is above 0, and says so', async () => {
    const session = scriptedSession(spell('ab'), FRAMES);
    await expect(decodeSession(session, ctx, { ctcWeight: 0.3 })).rejects.toThrow(ConfigError);
    await expect(decodeSession(session, ctx, { ctcWeight: 0.3 })).rejects.toMatchObject({ input: 'ctcWeight' });
    expect((await decodeSession(session, ctx, { ctcWeight: 0 })).text).toBe('ab');
  });
});

/** A pseudo-random number in [0, 1) from the numbers given (deterministic: no Math.random). */
function noise(...values: number[]): number {
  let s = 2166136261;
  for (const v of values) s = Math.imul(s ^ (v + 7919), 16777619) >>> 0;
  return (Math.imul(s ^ (s >>> 15), 2246822519) >>> 0) / 2 ** 32;
}

/** Attention that spreads its mass over four tokens at random and grows likelier to end. */
const noisyScript =
  (seed: number): Script =>
  (prefix) => {
    const key = prefix.reduce((a, t) => a * 31 + t, seed);
    const tokens = [id('a'), id('b'), id('c'), id('d')];
    const weights = tokens.map((_, i) => 0.2 + noise(key, i));
    const end = Math.min(0.9, 0.05 * prefix.length);
    const total = weights.reduce((a, w) => a + w, 0);
    return new Map<number, number>([[2, end], ...tokens.map((t, i) => [t, ((1 - end) * weights[i]) / total] as [number, number])]);
  };

/** CTC logits spiking "abcab" under noise, so that hypotheses meet close calls. */
function noisyCtc(seed: number): Float32Array {
  const logits = new Float32Array(FRAMES * V); // [T, V]
  for (let t = 0; t < FRAMES; t++) for (let v = 0; v < V; v++) logits[t * V + v] = -6 * noise(seed, t, v) + (v === 0 ? 3 : 0);
  [...'abcab'].forEach((ch, i) => (logits[(2 + 4 * i) * V + id(ch)] += 8));
  return logits;
}

// src/decoding/ctcPrefix.ts was rewritten for speed (phi kept per state); the search's ties, and
// so its transcripts, must come out as with the scorer as first written (ctcPrefixReference.ts).
describe('joint search with the rewritten CTC prefix scorer', () => {
  it.each([
    ['global', 4, 0.3],
    ['local', 4, 0.3],
    ['global', 2, 0.7],
    ['local', 8, 0.5],
  ] as const)('finds exactly what the scorer as first written finds (mode %s, beam %i, ctc %s)', async (mode, beam, ctcWeight) => {
    const texts = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const logits = noisyCtc(seed);
      const strategies = assembleStrategies(validateDecodingOptions({ mode, beam, ctcWeight }), ctx, FRAMES, logits);
      const first = referenceCtcPrefixScorer(ctcLogSoftmax(logits, FRAMES, V), FRAMES, V, 0, 2);
      const asFirstWritten = { ...strategies, scorer: jointCtcScorer({ frames: FRAMES, vocabSize: V, ...first } as unknown as CtcPrefixScorer, ctcWeight, [0, 1]) };
      const session = () => ({ ...scriptedSession(noisyScript(seed), FRAMES, (p) => 3 * p + 1), ctcLogits: logits });
      const found = await beamSearch(session(), strategies);
      expect(found).toEqual(await beamSearch(session(), asFirstWritten));
      texts.add(found.steps.map((s) => CONTRACT_VOCAB[s.token]).join(''));
    }
    expect(texts.size).toBeGreaterThan(1); // the four cases are not one case
  });
});

// The search scores exactly only the tokens that can still enter the beam (candidateMerge.ts,
// with the joint scorer's bound on the CTC term): the same search as scoring every token.
describe('pruned joint search', () => {
  it.each([
    ['global', 4, 0.3],
    ['local', 8, 0.5],
    ['global', 1, 0.3],
  ] as const)('finds exactly what scoring every token finds, scoring far fewer (mode %s, beam %i, ctc %s)', async (mode, beam, ctcWeight) => {
    for (const seed of [1, 2, 3]) {
      const logits = noisyCtc(seed);
      const strategies = assembleStrategies(validateDecodingOptions({ mode, beam, ctcWeight }), ctx, FRAMES, logits);
      const { init, score, advance, bound, exact } = strategies.scorer;
      let exactCalls = 0;
      let fullCalls = 0;
      const counted = { init, score, advance, bound, exact: (slot: number, token: number) => (exactCalls++, exact!(slot, token)) };
      const everyToken = { init, advance, score: (state: unknown, attention: Float32Array, out: Float32Array) => (fullCalls++, score(state, attention, out)) };
      const session = () => ({ ...scriptedSession(noisyScript(seed), FRAMES, (p) => 3 * p + 1), ctcLogits: logits });
      const found = await beamSearch(session(), { ...strategies, scorer: counted });
      expect(found).toEqual(await beamSearch(session(), { ...strategies, scorer: everyToken }));
      expect(exactCalls).toBeGreaterThan(0);
      expect(exactCalls).toBeLessThan(fullCalls * V * 0.5);
    }
  });
});
