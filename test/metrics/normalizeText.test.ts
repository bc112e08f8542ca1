import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { cardinalWords, digitRunWords, normalizeText } from '../../src/metrics/index.ts';

// One truth for two languages: training/tests/test_text.py reads the same file.
const EXAMPLES: [string, string][] = JSON.parse(
  readFileSync(new URL('../cases/normalization.json', import.meta.url), 'utf8'),
).cases;

describe('normalizeText', () => {
  it.each(EXAMPLES)('%j -> %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it.each(EXAMPLES.map(([input]) => [input]))('%j: output uses only a-z, apostrophe and single spaces, and is a fixed point', (input) => {
    const out = normalizeText(input);
    expect(out).toMatch(/^([a-z']+( [a-z']+)*)?$/);
    expect(normalizeText(out)).toBe(out);
  });

  it('options switch single rules off', () => {
    const text = "Don't pay 50% & 7 cents!";
    expect(normalizeText(text)).toBe("don't pay fifty percent and seven cents");
    expect(normalizeText(text, { lowercase: false })).toBe("Don't pay fifty percent and seven cents");
    expect(normalizeText(text, { spellDigits: false })).toBe("don't pay 50 percent and 7 cents");
    expect(normalizeText(text, { spellDigits: false, removePunctuation: false })).toBe("don't pay 50 percent and 7 cents!");
    expect(normalizeText(text, { spellSymbols: false })).toBe("don't pay fifty seven cents");
    expect(normalizeText(text, { keepApostrophes: false })).toBe('dont pay fifty percent and seven cents');
    expect(normalizeText(text, { removePunctuation: false })).toBe("don't pay fifty percent and seven cents!");
  });

  it('rejects unknown or non-boolean options and non-string text with a ConfigError', () => {
    expect(() => normalizeText('x', { lowerCase: true } as never)).toThrow(ConfigError);
    expect(() => normalizeText('x', { spellDigits: 'yes' } as never)).toThrow(/spellDigits/);
    expect(() => normalizeText(42 as never)).toThrow(ConfigError);
  });
});

describe('number words', () => {
  it.each([
    [7, 'seven'],
    [15, 'fifteen'],
    [21, 'twenty one'],
    [99, 'ninety nine'],
    [105, 'one hundred five'],
    [1999, 'one thousand nine hundred ninety nine'],
    [45678, 'forty five thousand six hundred seventy eight'],
    [123456789, 'one hundred twenty three million four hundred fifty six thousand seven hundred eighty nine'],
    [1000000, 'one million'],
    [20000300, 'twenty million three hundred'],
  ])('%i -> %s (no hyphens, no "and")', (n, words) => {
    expect(cardinalWords(n)).toBe(words);
    expect(words.split(' ')).not.toContain('and');
    expect(words).not.toContain('-');
  });

  it('reads runs with a leading zero or over nine digits digit by digit', () => {
    expect(digitRunWords('0')).toBe('zero');
    expect(digitRunWords('00')).toBe('zero zero');
    expect(digitRunWords('0123')).toBe('zero one two three');
    expect(digitRunWords('123456789')).toBe(cardinalWords(123456789));
    expect(digitRunWords('9876543210')).toBe('nine eight seven six five four three two one zero');
  });

  it('rejects out-of-range numbers', () => {
    expect(() => cardinalWords(1e9)).toThrow(RangeError);
    expect(() => cardinalWords(-1)).toThrow(RangeError);
    expect(() => cardinalWords(1.5)).toThrow(RangeError);
  });
});
