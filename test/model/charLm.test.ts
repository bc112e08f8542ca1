import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.ts';
import { LOG_PROB_CACHE_SIZE, SUFFIX_CACHE_SIZE } from '../../src/model/charLm.ts';
import { parseCharLm, parseLmDescription, type CharLm, type LmContext } from '../../src/model/index.ts';

/** The LM built by training/lm/build_char_lm.py from the corpus training text (models/lm/). */
const LM_PATH = resolve(import.meta.dirname, '../../models/lm/lm.bin');
const bytes = readFileSync(LM_PATH);
const lm = parseCharLm(bytes, LM_PATH);

const contextOf = (model: CharLm, text: string) => [...text].reduce((c, ch) => model.advance(c, model.characters.indexOf(ch)), model.initial());
const logProbOf = (model: CharLm, sentence: string) => {
  const out = new Float64Array(model.outputs);
  let total = 0;
  let context = model.initial();
  for (const ch of sentence) {
    const s = model.characters.indexOf(ch);
    total += model.logProbs(context, out)[s];
    context = model.advance(context, s);
  }
  return total + model.logProbs(context, out)[model.eos];
};

describe('character n-gram LM (models/lm/lm.bin)', () => {
  it('spells the transcript alphabet and the end of sentence', () => {
    expect(lm.characters).toEqual([' ', "'", ...'abcdefghijklmnopqrstuvwxyz']);
    expect(lm.outputs).toBe(29);
    expect(lm.eos).toBe(28);
  });

  it.each(['', 'w', 'we should', 'the quick brown f', "don'", 'xqzj', 'zzzzzzzzzzzz', 'seven two nine '])('gives a distribution over the next symbol after %j', (text) => {
    const out = lm.logProbs(contextOf(lm, text), new Float64Array(lm.outputs));
    let sum = 0;
    for (const lp of out) {
      expect(Number.isFinite(lp)).toBe(true);
      expect(lp).toBeLessThan(0);
      sum += Math.exp(lp);
    }
    expect(sum).toBeCloseTo(1, 5);
  });

  it('keeps only the last order - 1 symbols as context, and the sentence start while it is in them', () => {
    const tail = 'at goes on'; // longer than any context
    const long = contextOf(lm, 'a very long context th' + tail);
    const short = contextOf(lm, 'xx' + tail);
    expect(long.length).toBe(lm.order - 1);
    const dist = (text: string) => Array.from(lm.logProbs(contextOf(lm, text), new Float64Array(lm.outputs)));
    expect(Array.from(lm.logProbs(long, new Float64Array(lm.outputs)))).toEqual(Array.from(lm.logProbs(short, new Float64Array(lm.outputs))));
    expect(dist('the')).not.toEqual(dist('xx the'));
  });

  it('answers a context asked again (memoised) as it did the first time, also once the memo has started over', () => {
    const dist = (model: CharLm, context: LmContext) => Array.from(model.logProbs(context, new Float64Array(model.outputs)));
    // Contexts that share symbols in other orders and lengths (a careless packing of the memo's key confuses them).
    const bos = lm.initial();
    const contexts: LmContext[] = [[], [0], [0, 0], [1], [0, 1], [1, 0], bos, [...bos, 2], [2, 3, 4, 5, 6], [3, 2, 4, 5, 6], [0, 2, 3, 4, 5]];
    const forwards = parseCharLm(bytes, LM_PATH);
    const backwards = parseCharLm(bytes, LM_PATH);
    const first = contexts.map((c) => dist(forwards, c));
    expect(contexts.slice().reverse().map((c) => dist(backwards, c)).reverse()).toEqual(first);
    expect(contexts.map((c) => dist(forwards, c))).toEqual(first);
    // More distinct contexts than the memo holds, then the first ones again.
    for (let i = 0; i <= LOG_PROB_CACHE_SIZE; i++) forwards.logProbs([2 + (i % 26), 2 + (Math.floor(i / 26) % 26), 2 + Math.floor(i / 676)], new Float64Array(lm.outputs));
    expect(contexts.map((c) => dist(forwards, c))).toEqual(first);
    expect(new Set(first.map((d) => d.join())).size).toBeGreaterThan(contexts.length / 2);
  });

  // A new context whose shorter part (all but its oldest symbol) was seen before starts from that
  // part's memoised levels: it must come out as computed from the root.
  it('answers a context whose shorter part it has seen as it answers it from scratch, also once that memo has started over', () => {
    const dist = (model: CharLm, context: LmContext) => Array.from(model.logProbs(context, new Float64Array(model.outputs)));
    const symbols = (text: string) => [...text].map((ch) => lm.characters.indexOf(ch));
    const contexts: LmContext[] = [];
    // Common tails, one the table soon runs out of, and a shorter context.
    for (const tail of ['he c', 'ing ', 'qzjx', 'at ']) for (let first = 0; first < lm.characters.length; first += 3) contexts.push([first, ...symbols(tail)]);
    const warm = parseCharLm(bytes, LM_PATH);
    const seen = contexts.map((c) => dist(warm, c)); // all but the first of each tail start from its memoised part
    contexts.forEach((c, i) => expect(seen[i]).toEqual(dist(parseCharLm(bytes, LM_PATH), c)));
    // More distinct shorter parts than that memo holds, then the contexts again.
    for (let i = 0; i <= SUFFIX_CACHE_SIZE; i++) warm.logProbs([2, 2 + (i % 26), 2 + (Math.floor(i / 26) % 26), 2 + Math.floor(i / 676) % 26, 3], new Float64Array(lm.outputs));
    expect(contexts.map((c) => dist(warm, c))).toEqual(seen);
    expect(new Set(seen.map((d) => d.join())).size).toBeGreaterThan(contexts.length / 2); // the oldest symbol counts
  });

  it('scores English sentences it never saw far above the same letters scrambled', () => {
    // Sentences of the held-out validation text are not in the training text (training/tests/test_lm.py).
    for (const sentence of ['they don\'t know how to dress decently', 'all rights reserved', 'three hundred eighty seven']) {
      const scrambled = [...sentence].reverse().join('');
      expect(logProbOf(lm, sentence)).toBeGreaterThan(logProbOf(lm, scrambled) + sentence.length);
    }
  });

  it('prefers the word the acoustic model misspelt', () => {
    expect(logProbOf(lm, 'we should leave early if we want to catch the morning train')).toBeGreaterThan(logProbOf(lm, 'we should leveraly if we want to cash the morning tree'));
  });
});

describe('the same LM in Python and TypeScript (test/cases/charLm.json, written by training/lm/build_char_lm.py)', () => {
  const CASES = resolve(import.meta.dirname, '../cases');
  const tiny = parseCharLm(readFileSync(join(CASES, 'charLm-tiny.bin')), 'charLm-tiny.bin');
  const { order, cases } = JSON.parse(readFileSync(join(CASES, 'charLm.json'), 'utf8')) as { order: number; cases: { context: string; probabilities: number[] }[] };

  it.each(cases.map((c) => [c.context, c.probabilities] as const))('p(. | %j) as the builder computed it', (context, probabilities) => {
    expect(tiny.order).toBe(order);
    const out = tiny.logProbs(contextOf(tiny, context), new Float64Array(tiny.outputs));
    expect(out.length).toBe(probabilities.length);
    // lm.bin stores float32: agreement to about 1e-7.
    probabilities.forEach((p, s) => expect(Math.exp(out[s])).toBeCloseTo(p, 6));
  });
});

describe('lm.bin parsing', () => {
  it.each([
    ['an empty file', new Uint8Array(0)],
    ['another signature', Uint8Array.from(Buffer.from('NOTANLM1\0\0\0\0'))],
    ['a truncated file', bytes.subarray(0, bytes.length - 7)],
    ['a header that runs past the end', bytes.subarray(0, 40)],
    ['trailing bytes', Buffer.concat([bytes, Buffer.alloc(4)])],
  ])('rejects %s with MODEL_CORRUPT naming the file', (_name, data) => {
    expect(() => parseCharLm(data, 'x/lm.bin')).toThrow(ModelError);
    expect(() => parseCharLm(data, 'x/lm.bin')).toThrow(/^x\/lm\.bin: /);
  });

  it('gives an LM or a ModelError for random corruptions of the real file', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const data = Uint8Array.from(bytes);
        for (const [at, value] of edits) data[at] = value;
        try {
          const parsed = parseCharLm(data, 'lm.bin');
          parsed.logProbs(parsed.initial(), new Float64Array(parsed.outputs));
        } catch (error) {
          expect(error).toBeInstanceOf(ModelError);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("checks config.json's lm field", () => {
    expect(parseLmDescription(undefined, 'config.json')).toBeUndefined();
    expect(parseLmDescription({ kind: 'char-ngram', file: 'lm.bin', weight: 0.5 }, 'config.json')).toMatchObject({ file: 'lm.bin', weight: 0.5 });
    for (const bad of [{ kind: 'word-ngram', file: 'lm.bin', weight: 0.5 }, { kind: 'char-ngram', file: '../lm.bin', weight: 0.5 }, { kind: 'char-ngram', file: 'lm.bin', weight: -1 }, { kind: 'char-ngram', file: 'lm.bin' }, 'lm.bin'])
      expect(() => parseLmDescription(bad, 'config.json')).toThrow(ModelError);
  });
});
