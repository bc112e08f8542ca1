import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWordIndex, type WordRange } from '../../src/model/index.ts';

const CHARACTERS = [' ', "'", 'a', 'b', 'c', 'd'];
const symbol = (c: string) => CHARACTERS.indexOf(c);

/** Walks `prefix` symbol by symbol; undefined once no word begins with it. */
function walk(index: ReturnType<typeof createWordIndex>, prefix: string): WordRange | undefined {
  let range: WordRange | undefined = index.root;
  for (const c of prefix) range = range === undefined ? undefined : index.next(range, symbol(c));
  return range;
}

describe('word index', () => {
  it('answers what startsWith and equality over the word list answer', () => {
    const words = ['ab', 'abd', "a'c", 'b', 'ba', 'dd', 'ab', 'cab'];
    const index = createWordIndex(words, CHARACTERS);
    expect(index.ends(index.root)).toBe(false);
    expect(walk(index, 'ab')).toBeDefined();
    expect(index.ends(walk(index, 'ab')!)).toBe(true);
    expect(index.ends(walk(index, 'a')!)).toBe(false);
    expect(index.continues(walk(index, 'ab')!, symbol('d'))).toBe(true);
    expect(index.continues(walk(index, 'ab')!, symbol('c'))).toBe(false);
    expect(walk(index, 'abc')).toBeUndefined();
    expect(walk(index, 'dda')).toBeUndefined();
  });

  it('words with a character that is no symbol still count as beginning with their known part', () => {
    const index = createWordIndex(['abX', 'b'], CHARACTERS);
    expect(walk(index, 'ab')).toBeDefined();
    expect(index.ends(walk(index, 'ab')!)).toBe(false);
  });

  it('hands out one range per prefix, whose remembered answers stay right, and answers ranges made elsewhere', () => {
    const words = ['ab', 'abd', 'b', 'ba'];
    const index = createWordIndex(words, CHARACTERS);
    const ab = walk(index, 'ab')!;
    expect(walk(index, 'ab')).toBe(ab); // shared, so its answers are worked out once
    for (let pass = 0; pass < 2; pass++) {
      expect(index.ends(ab)).toBe(true);
      expect(index.continues(ab, symbol('d'))).toBe(true);
      expect(index.continues(ab, symbol('a'))).toBe(false);
      expect(index.next(ab, symbol('a'))).toBeUndefined();
    }
    // A plain object with the same bounds gets the same answers, only not remembered.
    const copy = { lo: ab.lo, hi: ab.hi, depth: ab.depth };
    expect([index.ends(copy), index.continues(copy, symbol('d')), index.continues(copy, symbol('a'))]).toEqual([true, true, false]);
    expect(index.next(copy, symbol('d'))).toEqual({ lo: walk(index, 'abd')!.lo, hi: walk(index, 'abd')!.hi, depth: 3 });
    // A symbol past the alphabet continues nothing.
    expect(index.continues(ab, CHARACTERS.length + 3)).toBe(false);
  });

  it('agrees with the string definitions on random word lists and prefixes', () => {
    const text = fc.string({ unit: fc.constantFrom(...CHARACTERS.slice(1)), minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), fc.array(fc.string({ unit: fc.constantFrom(...CHARACTERS.slice(1)), maxLength: 6 }), { maxLength: 20 }), (words, prefixes) => {
        const index = createWordIndex(words, CHARACTERS);
        for (const prefix of prefixes) {
          const range = walk(index, prefix);
          // As CharLm.isWordPrefix: nothing spelt yet begins every word, even of an empty list.
          expect(range !== undefined).toBe(prefix === '' || words.some((w) => w.startsWith(prefix)));
          if (range === undefined) continue;
          expect(index.ends(range)).toBe(words.includes(prefix));
          for (const c of CHARACTERS) expect(index.continues(range, symbol(c))).toBe(words.some((w) => w.startsWith(prefix + c)));
          // The mask says the same of every symbol, asked first or after continues(), and for a range made elsewhere.
          const mask = CHARACTERS.reduce((m, c) => (words.some((w) => w.startsWith(prefix + c)) ? m | (1 << symbol(c)) : m), 0);
          expect(index.continuationMask(range)).toBe(mask);
          expect(createWordIndex(words, CHARACTERS).continuationMask({ lo: range.lo, hi: range.hi, depth: range.depth })).toBe(mask);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('holds a continuation mask for up to 31 symbols, and refuses more', () => {
    const many = Array.from({ length: 31 }, (_, i) => String.fromCharCode(0x61 + i));
    const index = createWordIndex(['a', many.join('')], many);
    expect(index.maskable).toBe(true);
    expect(index.continuationMask(index.root)).toBe(1); // only "a" begins a word
    expect(index.continuationMask(index.next(index.root, 0)!)).toBe(1 << 1);
    const last = index.next([...many.slice(0, 30)].reduce((r, _, i) => index.next(r, i)!, index.root), 30)!;
    expect(index.ends(last)).toBe(true);
    const thirty = [...many.slice(0, 30)].reduce((r, _, i) => index.next(r, i)!, index.root);
    expect(index.continuationMask(thirty)).toBe(1 << 30);
    const tooMany = createWordIndex(['a'], [...many, '!']);
    expect(tooMany.maskable).toBe(false);
    expect(() => tooMany.continuationMask(tooMany.root)).toThrow(RangeError);
  });
});
