import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.ts';
import { loadBundle } from '../../src/model/index.ts';
import { loadWordLm, parseWordLm, parseWordLmDescription, type WordLm, type WordLmContext } from '../../src/model/wordLm.ts';
import { TINY } from './fixture.ts';

/** The tiny word LM written by training/lm/build_word_lm.py, and what the builder computed of it (training/tests/test_word_lm.py checks both). */
const CASES = resolve(import.meta.dirname, '../cases');
const TINY_PATH = join(CASES, 'wordLm-tiny.bin');
const bytes = readFileSync(TINY_PATH);
const lm = parseWordLm(bytes, TINY_PATH);
const shared = JSON.parse(readFileSync(join(CASES, 'wordLm.json'), 'utf8')) as {
  order: number;
  words: string[];
  cases: { context: string[]; probabilities: number[]; unknown: number }[];
};

const contextOf = (model: WordLm, words: readonly string[]): WordLmContext => words.reduce((c, w) => model.advance(c, model.symbolOf(w)), model.initial());
const distribution = (model: WordLm, context: WordLmContext) => Array.from({ length: model.eos + 1 }, (_, s) => model.logProb(context, s));

describe('the same word LM in Python and TypeScript (test/cases/wordLm.json, written by training/lm/build_word_lm.py)', () => {
  it('reads the order and the vocabulary in symbol order', () => {
    expect(lm.order).toBe(shared.order);
    expect(lm.words).toEqual(shared.words);
    expect(lm.eos).toBe(shared.words.length);
    shared.words.forEach((w, i) => expect(lm.symbolOf(w)).toBe(i));
    expect(lm.symbolOf('zebra')).toBe(lm.unknown);
    expect(lm.unknown).toBeGreaterThan(lm.eos);
  });

  it.each(shared.cases.map((c) => [c.context.join(' '), c] as const))('p(. | %j) as the builder computed it', (_, { context, probabilities, unknown }) => {
    const ctx = contextOf(lm, context);
    expect(probabilities).toHaveLength(lm.eos + 1);
    // word_lm.bin stores float32: agreement to about 1e-7.
    distribution(lm, ctx).forEach((lp, s) => expect(Math.exp(lp)).toBeCloseTo(probabilities[s]!, 6));
    expect(Math.exp(lm.logProb(ctx, lm.unknown))).toBeCloseTo(unknown, 6);
  });
});

describe('word n-gram LM', () => {
  it('keeps only the last order - 1 words as context, the sentence start while it is in them', () => {
    expect(lm.order).toBe(3);
    const long = contextOf(lm, ['a', 'dog', 'ran', 'the', 'cat', 'sat', 'on', 'the']);
    expect(long).toHaveLength(lm.order - 1);
    expect(long).toEqual(contextOf(lm, ['seven', 'on', 'the']));
    expect(distribution(lm, long)).toEqual(distribution(lm, contextOf(lm, ['nine', 'on', 'the'])));
    // While the start is among the last two symbols it counts: "the" first differs from "the" later.
    expect(contextOf(lm, ['the'])).toHaveLength(2);
    expect(distribution(lm, contextOf(lm, ['the']))).not.toEqual(distribution(lm, contextOf(lm, ['dog', 'the'])));
  });

  it.each(shared.cases.map((c) => [c.context.join(' '), c.context] as const))('after %j: a distribution over the V + 1 outputs; a word outside the vocabulary gets less than any word', (_, context) => {
    const ctx = contextOf(lm, context);
    const dist = distribution(lm, ctx);
    expect(dist.reduce((a, lp) => a + Math.exp(lp), 0)).toBeCloseTo(1, 5);
    const oov = lm.logProb(ctx, lm.symbolOf('zebra'));
    expect(Number.isFinite(oov)).toBe(true);
    expect(oov).toBeLessThan(Math.min(...dist.slice(0, lm.eos)));
  });

  it("gives a word outside the vocabulary only the base's share: the backoff weights times 1 / (V + 1)", () => {
    // The empty context is all an order-1 view of the start has: p(oov) = gamma(root) / (V + 1) < every unigram.
    const empty = lm.logProb([], lm.unknown);
    for (let s = 0; s < lm.eos; s++) expect(empty).toBeLessThan(lm.logProb([], s));
    expect(empty).toBeLessThan(-Math.log(lm.eos + 1));
    expect(Number.isFinite(empty)).toBe(true);
  });
});

describe('word_lm.bin parsing', () => {
  it.each([
    ['an empty file', new Uint8Array(0)],
    ['another signature', Uint8Array.from(Buffer.concat([Buffer.from('LASCHLM1'), bytes.subarray(8)]))],
    ['a truncated file', bytes.subarray(0, bytes.length - 4)],
    ['a file cut inside its header', bytes.subarray(0, 40)],
    ['trailing bytes', Buffer.concat([bytes, Buffer.alloc(4)])],
  ])('rejects %s with MODEL_CORRUPT naming the file', (_name, data) => {
    let error: unknown;
    try {
      parseWordLm(data, 'x/word_lm.bin');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'MODEL_CORRUPT', input: 'x/word_lm.bin' });
    expect((error as Error).message).toMatch(/^x\/word_lm\.bin: not a word LM file/);
  });

  // Where the arrays start: after the signature, the header's length and JSON, padded to 4 bytes.
  const arrays = Math.ceil((12 + bytes.readUInt32LE(8)) / 4) * 4;
  it.each([
    ['anywhere', 0],
    ['in the arrays', arrays],
  ])('gives an LM or a ModelError for random corruptions of a real file (%s), never NaN', (_, from) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: from, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const data = Uint8Array.from(bytes);
        for (const [at, value] of edits) data[at] = value;
        let parsed: WordLm;
        try {
          parsed = parseWordLm(data, 'word_lm.bin');
        } catch (error) {
          expect(error).toBeInstanceOf(ModelError);
          return;
        }
        for (const { context } of shared.cases) {
          const ctx = contextOf(parsed, context);
          for (let s = 0; s <= parsed.unknown; s++) expect(Number.isNaN(parsed.logProb(ctx, s))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("checks config.json's lm.word field (MODEL_MISMATCH naming config.json)", () => {
    expect(parseWordLmDescription(undefined, 'config.json')).toBeUndefined();
    expect(parseWordLmDescription({ kind: 'word-ngram', file: 'word_lm.bin', weight: 0.15, order: 2 }, 'config.json')).toMatchObject({ file: 'word_lm.bin', weight: 0.15, order: 2 });
    for (const bad of [
      'word_lm.bin',
      null,
      { kind: 'char-ngram', file: 'word_lm.bin', weight: 0.15 },
      { file: 'word_lm.bin', weight: 0.15 },
      { kind: 'word-ngram', file: '../word_lm.bin', weight: 0.15 },
      { kind: 'word-ngram', file: '', weight: 0.15 },
      { kind: 'word-ngram', weight: 0.15 },
      { kind: 'word-ngram', file: 'word_lm.bin' },
      { kind: 'word-ngram', file: 'word_lm.bin', weight: -0.1 },
      { kind: 'word-ngram', file: 'word_lm.bin', weight: Number.NaN },
      { kind: 'word-ngram', file: 'word_lm.bin', weight: '0.15' },
    ])
      expect(() => parseWordLmDescription(bad, 'config.json'), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'MODEL_MISMATCH', input: 'config.json' }));
  });
});

describe("a bundle's word LM", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'las-wordlm-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const charLm = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../models/lm/lm.json'), 'utf8')) as Record<string, unknown>;

  /** The tiny random bundle with the shipped character LM and config.json's lm.word set to `word`. */
  function bundleWith(name: string, word: unknown, withFile: boolean): string {
    const bundle = mkdtempSync(join(scratch, `${name}-`));
    for (const f of ['encoder.onnx', 'decoder_step.onnx']) copyFileSync(join(TINY, f), join(bundle, f));
    copyFileSync(resolve(import.meta.dirname, '../../models/lm/lm.bin'), join(bundle, 'lm.bin'));
    if (withFile) copyFileSync(TINY_PATH, join(bundle, 'word_lm.bin'));
    const config = JSON.parse(readFileSync(join(TINY, 'config.json'), 'utf8'));
    writeFileSync(join(bundle, 'config.json'), JSON.stringify({ ...config, lm: { ...charLm, word } }));
    return bundle;
  }

  it('loads from config.json lm.word, and the card describes it', async () => {
    const dir = bundleWith('ok', { kind: 'word-ngram', file: 'word_lm.bin', weight: 0.5, order: 3 }, true);
    const model = await loadBundle(dir);
    try {
      expect(model.wordLm?.order).toBe(3);
      expect(model.wordLm?.words).toEqual(shared.words);
      expect(model.card.lm?.word).toMatchObject({ kind: 'word-ngram', file: 'word_lm.bin', weight: 0.5 });
    } finally {
      await model.dispose();
    }
  });

  it('a missing word_lm.bin fails the load with MODEL_MISSING naming the path', async () => {
    const dir = bundleWith('missing', { kind: 'word-ngram', file: 'word_lm.bin', weight: 0.5 }, false);
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'MODEL_MISSING', input: join(dir, 'word_lm.bin') });
  });

  it('an order other than the file says is MODEL_MISMATCH naming the file; a bad lm.word field names config.json', async () => {
    const dir = bundleWith('order', { kind: 'word-ngram', file: 'word_lm.bin', weight: 0.5, order: 2 }, true);
    await expect(loadWordLm(dir, { kind: 'word-ngram', file: 'word_lm.bin', weight: 0.5, order: 2 })).rejects.toMatchObject({ code: 'MODEL_MISMATCH', input: join(dir, 'word_lm.bin') });
    await expect(loadBundle(dir)).rejects.toMatchObject({ code: 'MODEL_MISMATCH', input: join(dir, 'word_lm.bin') });
    const bad = bundleWith('bad', { kind: 'word-ngram', file: 'word_lm.bin', weight: -1 }, true);
    await expect(loadBundle(bad)).rejects.toMatchObject({ code: 'MODEL_MISMATCH', input: join(bad, 'config.json') });
  });
});
