import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../errors.ts';
import { isRecord } from './bundleConfig.ts';
import { readLmFile } from './lmFile.ts';

/**
 * The bundle's word n-gram language model (word_lm.bin, written by training/lm/build_word_lm.py,
 * whose docstring has the format): the character LM's interpolated Kneser-Ney over words. The
 * search scores each word when it ends (lmFusion.ts). Symbols: the vocabulary's words in order
 * (0..V-1), then end of sentence (V, predicted) and start of sentence (V+1, context only). A word
 * outside the vocabulary gets only the uniform base's share: gamma(h) gamma(h') ... / (V + 1).
 */
export interface WordLm {
  readonly order: number;
  /** The vocabulary, in symbol order. */
  readonly words: readonly string[];
  /** End of sentence (= words.length). */
  readonly eos: number;
  /** The symbol of `word`, or `unknown` when it is outside the vocabulary. */
  symbolOf(word: string): number;
  /** What symbolOf gives an out-of-vocabulary word: never stored, so only the base predicts it. */
  readonly unknown: number;
  /** The context at the start of a sentence. */
  initial(): WordLmContext;
  /** The context after `symbol`. */
  advance(context: WordLmContext, symbol: number): WordLmContext;
  /** ln p(symbol | context); symbol is a word's, `unknown` or `eos`. */
  logProb(context: WordLmContext, symbol: number): number;
}

/** The last order - 1 symbols, newest last. */
export type WordLmContext = readonly number[];

/** What config.json's `lm.word` field says (the builder's word_lm.json). */
export interface WordLmDescription {
  readonly kind: 'word-ngram';
  readonly file: string;
  /** Default fusion weight, chosen on the validation voices. */
  readonly weight: number;
  readonly order?: number;
  readonly [key: string]: unknown;
}

const MAGIC = 'LASWDLM1';

/** Parses word_lm.bin; `path` names the file in every error. */
export function parseWordLm(bytes: Uint8Array, path: string): WordLm {
  const { header, headerEnd, corrupt, count } = readLmFile(bytes, path, MAGIC, 'word LM');
  const { order, nodes, entries, words } = header;
  count(order, 'order', 1);
  const n = count(nodes, 'nodes', 1);
  const e = count(entries, 'entries', 0);
  if (!(Array.isArray(words) && words.length > 0 && words.every((w) => typeof w === 'string' && w.length > 0))) corrupt('header.words must list words');
  const vocabulary = Object.freeze([...(words as string[])]);
  const V = vocabulary.length;
  const symbolOf = new Map(vocabulary.map((w, i) => [w, i]));
  if (symbolOf.size !== V) corrupt('header.words repeats a word');

  let at = headerEnd;
  at = Math.ceil(at / 4) * 4;
  const take = <T>(make: (buffer: ArrayBuffer) => T, length: number): T => {
    if (at + length * 4 > bytes.length) corrupt('arrays run past the end');
    const copy = new Uint8Array(length * 4); // aligned for the typed view
    copy.set(bytes.subarray(at, at + length * 4));
    at += length * 4;
    return make(copy.buffer);
  };
  const gamma = take((b) => new Float32Array(b), n);
  const entryStart = take((b) => new Uint32Array(b), n + 1);
  const entrySymbol = take((b) => new Uint32Array(b), e);
  const entryProb = take((b) => new Float32Array(b), e);
  const childStart = take((b) => new Uint32Array(b), n + 1);
  const childSymbol = take((b) => new Uint32Array(b), n - 1);
  const childNode = take((b) => new Uint32Array(b), n - 1);
  if (at !== bytes.length) corrupt(`${bytes.length - at} bytes after the arrays`);

  const eos = V;
  const bos = V + 1;
  const unknown = V + 2;
  const monotone = (starts: Uint32Array, total: number) => starts[0] === 0 && starts[n] === total && starts.every((v, i) => i === 0 || v >= starts[i - 1]);
  if (!monotone(entryStart, e) || !monotone(childStart, n - 1)) corrupt('offset arrays are not ordered');
  if (entrySymbol.some((s) => s > eos) || childSymbol.some((s) => s > bos) || childNode.some((c) => c === 0 || c >= n)) corrupt('a symbol or node index is out of range');
  if (gamma.some((g) => !(g >= 0 && g <= 1)) || entryProb.some((p) => !(p >= 0 && p <= 1))) corrupt('a probability is outside [0, 1]');

  /** Index in [lo, hi) of `symbol` in a sorted symbol column, or -1. */
  const find = (column: Uint32Array, lo: number, hi: number, symbol: number): number => {
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (column[mid] < symbol) a = mid + 1;
      else b = mid;
    }
    return a < hi && column[a] === symbol ? a : -1;
  };
  const maxContext = (order as number) - 1;
  return Object.freeze({
    order: order as number,
    words: vocabulary,
    eos,
    unknown,
    symbolOf: (word: string) => symbolOf.get(word) ?? unknown,
    initial: () => (maxContext > 0 ? Object.freeze([bos]) : Object.freeze([])),
    advance(context: WordLmContext, symbol: number): WordLmContext {
      if (maxContext === 0) return context;
      return Object.freeze(context.length < maxContext ? [...context, symbol] : [...context.slice(1), symbol]);
    },
    logProb(context: WordLmContext, symbol: number): number {
      let p = 1 / (V + 1);
      // From the empty context up, each longer context found interpolates with the one below.
      for (let node = 0, used = 0; node >= 0; used++) {
        p *= gamma[node];
        const i = find(entrySymbol, entryStart[node], entryStart[node + 1], symbol);
        if (i >= 0) p += entryProb[i];
        if (used >= context.length) break;
        const c = find(childSymbol, childStart[node], childStart[node + 1], context[context.length - 1 - used]);
        node = c >= 0 ? childNode[c] : -1;
      }
      return Math.log(p);
    },
  });
}

/**
 * config.json's optional `lm.word` field, checked: undefined when the bundle has none. `input`
 * names config.json in errors.
 */
export function parseWordLmDescription(value: unknown, input: string): WordLmDescription | undefined {
  if (value === undefined) return undefined;
  const fail = (message: string): never => {
    throw new ModelError('MODEL_MISMATCH', `lm.word: ${message}`, input);
  };
  if (!isRecord(value)) return fail('must be an object');
  if (value.kind !== 'word-ngram') fail(`kind ${JSON.stringify(value.kind)} is not supported (only "word-ngram")`);
  if (typeof value.file !== 'string' || value.file.length === 0 || value.file.includes('..')) fail('file must name a file inside the bundle');
  if (!(typeof value.weight === 'number' && Number.isFinite(value.weight) && value.weight >= 0)) fail(`weight must be a finite number >= 0, got ${JSON.stringify(value.weight)}`);
  return Object.freeze({ ...value }) as WordLmDescription;
}

/** Loads the bundle's word LM. */
export async function loadWordLm(dir: string, description: WordLmDescription): Promise<WordLm> {
  const path = join(dir, description.file);
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new ModelError('MODEL_MISSING', `word language model file not found (${(cause as Error).message})`, path, { cause });
  });
  const lm = parseWordLm(bytes, path);
  if (description.order !== undefined && description.order !== lm.order) throw new ModelError('MODEL_MISMATCH', `config.json says order ${description.order}, the file is order ${lm.order}`, path);
  return lm;
}
