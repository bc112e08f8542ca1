import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../errors.ts';
import { isRecord } from './bundleConfig.ts';
import { readLmFile } from './lmFile.ts';
import { createWordIndex, type WordIndex } from './wordIndex.ts';
import { parseWordLmDescription, type WordLmDescription } from './wordLm.ts';

/**
 * The bundle's character n-gram language model (lm.bin, written by training/lm/build_char_lm.py,
 * whose docstring has the format). Interpolated Kneser-Ney: for context h,
 * p(c | h) = a(h, c) + gamma(h) p(c | h'), h' being h without its oldest symbol, down to a
 * uniform base; each stored (a, gamma) sums to 1, so each p(. | h) does.
 *
 * Symbols are the transcript characters, then end of sentence (predicted) and start of sentence
 * (context only). A context is a value: the last order - 1 symbols, newest last.
 */
export interface CharLm {
  readonly order: number;
  /** The characters, in symbol order; symbol `characters.length` is end of sentence. */
  readonly characters: readonly string[];
  readonly eos: number;
  /** Size of a distribution: the characters and end of sentence. */
  readonly outputs: number;
  /** The context at the start of a sentence. */
  initial(): LmContext;
  /** The context after `symbol` (a character). */
  advance(context: LmContext, symbol: number): LmContext;
  /** ln p(s | context) for every output symbol s into `out` [outputs]. */
  logProbs(context: LmContext, out: Float64Array): Float64Array;
  /** Whether `word` is a word of the training text. */
  isWord(word: string): boolean;
  /** Whether `prefix` begins some word of the training text ('' does). */
  isWordPrefix(prefix: string): boolean;
  /** The same words, walked symbol by symbol (what the search uses: no strings per character). */
  readonly words: WordIndex;
}

export type LmContext = readonly number[];

/** What config.json's `lm` field says (the builder's lm.json, plus the file name). */
export interface LmDescription {
  readonly kind: 'char-ngram';
  readonly file: string;
  /** Default fusion weight, chosen on the validation voices. */
  readonly weight: number;
  /** Default out-of-vocabulary penalty (see DecodingOptions.oovPenalty); absent: 0. */
  readonly oovPenalty?: number;
  /** Default word penalty (see DecodingOptions.wordPenalty); absent: 0. */
  readonly wordPenalty?: number;
  readonly order?: number;
  /** The word LM scored at each word's end (src/model/wordLm.ts), when the bundle has one. */
  readonly word?: WordLmDescription;
  readonly [key: string]: unknown;
}

const MAGIC = 'LASCHLM1';

/**
 * Distributions memoised per LM (232 bytes each with the bundle's 29 outputs, plus 32 bytes of
 * table: about 6.5 MB); the memo starts over when full. The validation voices' default decoding
 * asks for about 11,000 distinct contexts per 150 utterances and mode.
 */
export const LOG_PROB_CACHE_SIZE = 24576;

/** Entries of the memo of contexts' levels but the last (see parseCharLm's logProbs): 232 bytes each, about 3.8 MB. */
export const SUFFIX_CACHE_SIZE = 16384;

/**
 * An open-addressing memo of up to `capacity` rows of `width` numbers, keyed by non-negative
 * integers, its table at most half full: nothing is allocated per entry, and the arrays only on
 * the first add(), so that loading (or only checking) a bundle does not pay for them. When full
 * it starts over.
 */
function createMemo(capacity: number, width: number) {
  const slotBits = Math.ceil(Math.log2(2 * capacity));
  const slots = 2 ** slotBits;
  let keys = new Float64Array(0); // [slots], -1: empty
  let entries = new Int32Array(0); // [slots]
  let rows = new Float64Array(0); // [capacity, width]
  let count = 0;
  /** The key's slot, or the empty slot where it would go. */
  const slotOf = (key: number): number => {
    let slot = Math.imul((key ^ (key / 4294967296)) | 0, 0x9e3779b1) >>> (32 - slotBits);
    while (keys[slot] !== key && keys[slot] !== -1) slot = (slot + 1) & (slots - 1);
    return slot;
  };
  return {
    /** The rows, row i at [i * width, (i + 1) * width). */
    get rows(): Float64Array {
      return rows;
    },
    /** The row index of `key`, or -1. */
    find(key: number): number {
      if (keys.length === 0) return -1;
      const slot = slotOf(key);
      return keys[slot] === key ? entries[slot] : -1;
    },
    /** Takes a row for `key` (not in the memo) and returns its index, for the caller to fill. */
    add(key: number): number {
      if (keys.length === 0) {
        keys = new Float64Array(slots).fill(-1);
        entries = new Int32Array(slots);
        rows = new Float64Array(capacity * width);
      }
      if (count === capacity) {
        keys.fill(-1); // full: start over
        count = 0;
      }
      const slot = slotOf(key);
      keys[slot] = key;
      entries[slot] = count;
      return count++;
    },
  };
}

/** Parses lm.bin; `path` names the file in every error. */
export function parseCharLm(bytes: Uint8Array, path: string): CharLm {
  const { header, headerEnd, corrupt, count } = readLmFile(bytes, path, MAGIC, 'character LM');
  const { order, nodes, entries, symbols } = header;
  count(order, 'order', 1);
  count(nodes, 'nodes', 1);
  count(entries, 'entries', 0);
  if (!(Array.isArray(symbols) && symbols.length > 0 && symbols.every((s) => typeof s === 'string' && [...s].length === 1))) corrupt('header.symbols must list single characters');
  const characters = Object.freeze([...(symbols as string[])]);
  const wordList = header.words ?? [];
  if (!(Array.isArray(wordList) && wordList.every((w) => typeof w === 'string' && w.length > 0))) corrupt('header.words must list words');
  const words = (wordList as string[]).slice().sort();
  const wordSet = new Set(words);
  // The first word >= prefix begins with it if any word does.
  const lowerBound = (key: string) => {
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (words[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const n = nodes as number;
  const e = entries as number;

  let at = headerEnd;
  const align = () => (at = Math.ceil(at / 4) * 4);
  const take = <T>(make: (buffer: ArrayBuffer) => T, length: number, width: number): T => {
    if (at + length * width > bytes.length) corrupt('arrays run past the end');
    const copy = new Uint8Array(length * width); // a copy (a Buffer's slice would be a view), aligned for the typed view
    copy.set(bytes.subarray(at, at + length * width));
    at += length * width;
    return make(copy.buffer);
  };
  align();
  const gamma = take((b) => new Float32Array(b), n, 4);
  const entryStart = take((b) => new Uint32Array(b), n + 1, 4);
  const entrySymbol = take((b) => new Uint8Array(b), e, 1);
  align();
  const entryProb = take((b) => new Float32Array(b), e, 4);
  const childStart = take((b) => new Uint32Array(b), n + 1, 4);
  const childSymbol = take((b) => new Uint8Array(b), n - 1, 1);
  align();
  const childNode = take((b) => new Uint32Array(b), n - 1, 4);
  if (at !== bytes.length) corrupt(`${bytes.length - at} bytes after the arrays`);

  const outputs = characters.length + 1;
  const bos = outputs;
  const monotone = (starts: Uint32Array, total: number) => starts[0] === 0 && starts[n] === total && starts.every((v, i) => i === 0 || v >= starts[i - 1]);
  if (!monotone(entryStart, e) || !monotone(childStart, n - 1)) corrupt('offset arrays are not ordered');
  if (entrySymbol.some((s) => s >= outputs) || childSymbol.some((s) => s > bos) || childNode.some((c) => c === 0 || c >= n)) corrupt('a symbol or node index is out of range');
  if (gamma.some((g) => !(g >= 0 && g <= 1)) || entryProb.some((p) => !(p >= 0 && p <= 1))) corrupt('a probability is outside [0, 1]');

  const child = (node: number, symbol: number): number => {
    for (let i = childStart[node]; i < childStart[node + 1]; i++) if (childSymbol[i] === symbol) return childNode[i];
    return -1;
  };
  const maxContext = (order as number) - 1;
  const probs = new Float64Array(outputs);
  // The search asks for the same contexts again and again (hypotheses that differ only further
  // back, and common words from one utterance to the next), and each answer walks up to `order`
  // nodes of a 6 MB table: a memo of whole distributions, keyed by the context's symbols packed
  // into one number (5 bits each when the alphabet allows, so that the key stays a small integer;
  // else 8 bits; a larger alphabet or order is not memoised). An open-addressing table of keys
  // over one block of distributions: nothing is allocated per entry, and a hit is a copy.
  const bits = bos < 32 && maxContext <= 5 ? 5 : 8;
  const packable = maxContext <= 6 && bos < 256;
  const radix = 1 << bits;
  /** The symbols of context[from..] and their count packed into one number (packable contexts only). */
  const packKey = (context: LmContext, from: number): number => {
    let key = context.length - from;
    for (let i = from; i < context.length; i++) key = key * radix + context[i];
    return key;
  };
  const cacheKey = (context: LmContext): number => (packable ? packKey(context, 0) : -1);
  // The whole distributions; and the memo of a context's levels but the last (see logProbs),
  // keyed by the context without its oldest symbol, each entry the probabilities so far and the
  // last node applied (-1: the walk ended before the context without its oldest symbol).
  const memo = createMemo(LOG_PROB_CACHE_SIZE, outputs);
  const suffixMemo = createMemo(SUFFIX_CACHE_SIZE, outputs);
  let suffixNodes = new Int32Array(0); // [SUFFIX_CACHE_SIZE], made with the memo's rows
  /** One level of the interpolation: p = a(h, .) + gamma(h) p. */
  const apply = (node: number) => {
    const g = gamma[node];
    for (let s = 0; s < outputs; s++) probs[s] *= g;
    for (let i = entryStart[node]; i < entryStart[node + 1]; i++) probs[entrySymbol[i]] += entryProb[i];
  };
  return Object.freeze({
    order: order as number,
    characters,
    eos: characters.length,
    outputs,
    initial: () => (maxContext > 0 ? Object.freeze([bos]) : Object.freeze([])),
    advance(context: LmContext, symbol: number): LmContext {
      if (!(Number.isInteger(symbol) && symbol >= 0 && symbol < characters.length)) throw new RangeError(`LM symbol ${symbol} is not a character`);
      if (maxContext === 0) return context;
      const next: number[] = [];
      for (let i = context.length < maxContext ? 0 : 1; i < context.length; i++) next.push(context[i]);
      next.push(symbol);
      return Object.freeze(next);
    },
    logProbs(context: LmContext, out: Float64Array): Float64Array {
      const key = cacheKey(context);
      const found = key < 0 ? -1 : memo.find(key);
      if (found >= 0) {
        const rows = memo.rows;
        const base = found * outputs;
        for (let s = 0; s < outputs; s++) out[s] = rows[base + s];
        return out;
      }
      // From the empty context up, each longer context found interpolates with the one below.
      // Every level but the last (the whole context's) depends only on the context without its
      // oldest symbol, which contexts differing further back share: those levels' probabilities,
      // and the node they reached, are memoised too, so that a new context often costs one
      // level rather than a walk from the root through the table. The same products and sums in
      // the same order either way, so the same bits.
      const levels = context.length;
      if (levels < 2 || key < 0) {
        probs.fill(1 / outputs);
        for (let node = 0, used = 0; node >= 0; used++) {
          apply(node);
          node = used < levels ? child(node, context[levels - 1 - used]) : -1;
        }
      } else {
        const shorter = packKey(context, 1);
        const at = suffixMemo.find(shorter);
        let reached = -1; // the node of the context without its oldest symbol, once applied; -1: the walk ended before it
        if (at >= 0) {
          const rows = suffixMemo.rows;
          for (let s = 0; s < outputs; s++) probs[s] = rows[at * outputs + s];
          reached = suffixNodes[at];
        } else {
          probs.fill(1 / outputs);
          for (let node = 0, used = 0; ; used++) {
            apply(node);
            if (used === levels - 1) {
              reached = node;
              break;
            }
            node = child(node, context[levels - 1 - used]);
            if (node < 0) break;
          }
          const entry = suffixMemo.add(shorter);
          if (suffixNodes.length === 0) suffixNodes = new Int32Array(SUFFIX_CACHE_SIZE);
          suffixMemo.rows.set(probs.subarray(0, outputs), entry * outputs);
          suffixNodes[entry] = reached;
        }
        const last = reached < 0 ? -1 : child(reached, context[0]);
        if (last >= 0) apply(last);
      }
      for (let s = 0; s < outputs; s++) out[s] = Math.log(probs[s]);
      if (key >= 0) {
        const entry = memo.add(key); // first, as the first add() makes the rows
        memo.rows.set(out.subarray(0, outputs), entry * outputs);
      }
      return out;
    },
    isWord: (word: string) => wordSet.has(word),
    words: createWordIndex(words, characters),
    isWordPrefix(prefix: string) {
      if (prefix === '') return true;
      const at = lowerBound(prefix);
      return at < words.length && words[at].startsWith(prefix);
    },
  });
}

/**
 * config.json's optional `lm` field, checked: undefined when the bundle has none. `input` names
 * config.json in errors.
 */
export function parseLmDescription(value: unknown, input: string): LmDescription | undefined {
  if (value === undefined) return undefined;
  const fail = (message: string): never => {
    throw new ModelError('MODEL_MISMATCH', `lm: ${message}`, input);
  };
  if (!isRecord(value)) return fail('must be an object');
  if (value.kind !== 'char-ngram') fail(`kind ${JSON.stringify(value.kind)} is not supported (only "char-ngram")`);
  if (typeof value.file !== 'string' || value.file.length === 0 || value.file.includes('..')) fail('file must name a file inside the bundle');
  if (!(typeof value.weight === 'number' && Number.isFinite(value.weight) && value.weight >= 0)) fail(`weight must be a finite number >= 0, got ${JSON.stringify(value.weight)}`);
  for (const key of ['oovPenalty', 'wordPenalty'] as const) {
    const v = value[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) fail(`${key} must be a finite number >= 0, got ${JSON.stringify(v)}`);
  }
  const word = parseWordLmDescription(value.word, input);
  return Object.freeze({ ...value, ...(word !== undefined ? { word } : {}) }) as LmDescription;
}

/** Loads the bundle's LM, checking that it can spell every text token of the vocabulary. */
export async function loadCharLm(dir: string, description: LmDescription, textTokens: readonly string[]): Promise<CharLm> {
  const path = join(dir, description.file);
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new ModelError('MODEL_MISSING', `language model file not found (${(cause as Error).message})`, path, { cause });
  });
  const lm = parseCharLm(bytes, path);
  const missing = textTokens.filter((t) => !lm.characters.includes(t));
  if (missing.length > 0) throw new ModelError('MODEL_MISMATCH', `the language model has no symbol for ${missing.map((t) => JSON.stringify(t)).join(', ')}`, path);
  if (description.order !== undefined && description.order !== lm.order) throw new ModelError('MODEL_MISMATCH', `config.json says order ${description.order}, the file is order ${lm.order}`, path);
  return lm;
}
