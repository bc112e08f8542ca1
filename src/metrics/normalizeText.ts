import { ConfigError } from '../errors.ts';
import { digitRunWords } from './numberWords.ts';

/**
 * Transcript normalisation (docs/contracts.md section 3), applied to references and
 * hypotheses alike before scoring. training/ implements the same rules in Python.
 */
export interface NormalizeOptions {
  /** Lower-case first (default true). When false, A-Z are kept as letters too. */
  readonly lowercase: boolean;
  /** Spell digit runs as words (default true). When false, digits are kept as they are. */
  readonly spellDigits: boolean;
  /** `%` -> " percent ", `&` -> " and " (default true): "50%off" -> "fifty percent off". */
  readonly spellSymbols: boolean;
  /** Keep `'` (default true). When false it is deleted, not spaced: "don't" -> "dont". */
  readonly keepApostrophes: boolean;
  /**
   * Turn every character outside the allowed set into a space (default true): the allowed
   * set is a-z, plus A-Z without `lowercase`, plus 0-9 without `spellDigits`, plus `'` with
   * `keepApostrophes`. When false, only whitespace is collapsed.
   */
  readonly removePunctuation: boolean;
}

export const DEFAULT_NORMALIZE: NormalizeOptions = Object.freeze({
  lowercase: true,
  spellDigits: true,
  spellSymbols: true,
  keepApostrophes: true,
  removePunctuation: true,
});

const FLAGS = Object.keys(DEFAULT_NORMALIZE) as (keyof NormalizeOptions)[];

/** Fills defaults and rejects unknown or non-boolean fields. */
export function validateNormalizeOptions(opts: Partial<NormalizeOptions> = {}): NormalizeOptions {
  if (opts === null || typeof opts !== 'object') throw new ConfigError('normalisation options must be an object', 'normalize');
  for (const key of Object.keys(opts)) {
    if (!(FLAGS as string[]).includes(key)) throw new ConfigError(`unknown normalisation option "${key}" (known: ${FLAGS.join(', ')})`, 'normalize');
    const value = (opts as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'boolean') throw new ConfigError(`option "${key}" must be a boolean, got ${JSON.stringify(value)}`, 'normalize');
  }
  return { ...DEFAULT_NORMALIZE, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
}

/**
 * `"Hello, World! It's 42%"` -> `"hello world it's forty two percent"`.
 * Order matters: case first, then numbers and symbols become words, then whatever is left
 * outside the allowed set becomes a space, and whitespace is collapsed and trimmed.
 */
export function normalizeText(text: string, opts: Partial<NormalizeOptions> = {}): string {
  if (typeof text !== 'string') throw new ConfigError(`expected a string, got ${typeof text}`, 'text');
  const o = validateNormalizeOptions(opts);
  // Typeset apostrophes (U+2018, U+2019) are apostrophes: "don’t" must not become "don t".
  let s = (o.lowercase ? text.toLowerCase() : text).replace(/[\u2018\u2019]/g, "'");
  // Spaces around each spelled run keep it apart from neighbouring letters: "abc123" -> "abc one hundred twenty three".
  // ASCII digits only, like training/las/text.py's [0-9] (a \d there would match other scripts' digits).
  if (o.spellDigits) s = s.replace(/[0-9]+/g, (run) => ` ${digitRunWords(run)} `);
  if (o.spellSymbols) s = s.replace(/%/g, ' percent ').replace(/&/g, ' and ');
  if (!o.keepApostrophes) s = s.replace(/'/g, '');
  if (o.removePunctuation) {
    const allowed = `a-z${o.lowercase ? '' : 'A-Z'}${o.spellDigits ? '' : '0-9'}${o.keepApostrophes ? "'" : ''}`;
    s = s.replace(new RegExp(`[^${allowed}]+`, 'g'), ' ');
  }
  // An apostrophe that is not inside a word is a quote mark: "'quoted'" -> "quoted".
  if (o.keepApostrophes && o.removePunctuation) s = s.replace(/'(?![a-zA-Z])|(?<![a-zA-Z])'/g, ' ');
  return s.replace(/\s+/g, ' ').trim();
}
