import { describe, expect, it } from 'vitest';
import { decodeSession, type DecodeContext, type DecoderSession } from '../../src/decoding/index.ts';
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
