/**
 * The LM's training words, walked one symbol at a time, for the out-of-vocabulary penalty of
 * shallow fusion. The search asks, for every hypothesis and every next character, whether some
 * training word still begins with the word being spelt; with the words sorted by their
 * spelling in LM symbols, the words that begin with a given prefix are one contiguous range,
 * and the next symbol narrows it by binary search over one column of symbols. That answers
 * exactly what `words.some((w) => w.startsWith(prefix))` does, without building strings.
 */

/** The words that begin with the symbols spelt so far: indices [lo, hi) of the sorted words, all sharing their first `depth` symbols. */
export interface WordRange {
  readonly lo: number;
  readonly hi: number;
  readonly depth: number;
}

export interface WordIndex {
  /** Every word; nothing spelt yet. */
  readonly root: WordRange;
  /** The words of `range` whose next symbol is `symbol`; undefined when none is. */
  next(range: WordRange, symbol: number): WordRange | undefined;
  /** Whether some word of `range` has `symbol` next (next() without the range). */
  continues(range: WordRange, symbol: number): boolean;
  /** Whether the symbols spelt so far are a whole word. */
  ends(range: WordRange): boolean;
}

const END = -1; // past a word's last symbol: sorts first, so a word precedes the longer words it begins
const FOREIGN = 0x7fffffff; // a character that is no LM symbol: never matched, sorts last

/**
 * An index over `words` (strings of `characters`, the LM's symbols in symbol order). Built on
 * first use, so loading a bundle does not pay for it.
 */
export function createWordIndex(words: readonly string[], characters: readonly string[]): WordIndex {
  const count = words.length;
  let spelt: Int32Array | undefined; // every word's symbols, word after word
  let offset: Int32Array | undefined; // [count + 1]
  let lengths: Int32Array | undefined; // [count]

  const build = () => {
    const symbolOf = new Map(characters.map((c, i) => [c, i]));
    const spellings = words.map((w) => Int32Array.from([...w], (c) => symbolOf.get(c) ?? FOREIGN));
    const order = spellings.map((_, i) => i);
    order.sort((a, b) => {
      const x = spellings[a];
      const y = spellings[b];
      for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k] - y[k];
      return x.length - y.length;
    });
    offset = new Int32Array(count + 1);
    lengths = new Int32Array(count);
    order.forEach((w, i) => {
      lengths![i] = spellings[w].length;
      offset![i + 1] = offset![i] + spellings[w].length;
    });
    spelt = new Int32Array(offset[count]);
    order.forEach((w, i) => spelt!.set(spellings[w], offset![i]));
  };
  const symbolAt = (word: number, depth: number) => (depth < lengths![word] ? spelt![offset![word] + depth] : END);
  /** First word of [lo, hi) whose symbol at `depth` is at least `symbol` (the column is sorted within a range). */
  const lowerBound = (lo: number, hi: number, depth: number, symbol: number) => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (symbolAt(mid, depth) < symbol) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const index: WordIndex = {
    root: { lo: 0, hi: count, depth: 0 },
    continues(range, symbol) {
      if (spelt === undefined) build();
      const at = lowerBound(range.lo, range.hi, range.depth, symbol);
      return at < range.hi && symbolAt(at, range.depth) === symbol;
    },
    next(range, symbol) {
      if (spelt === undefined) build();
      const lo = lowerBound(range.lo, range.hi, range.depth, symbol);
      if (!(lo < range.hi && symbolAt(lo, range.depth) === symbol)) return undefined;
      return { lo, hi: lowerBound(lo, range.hi, range.depth, symbol + 1), depth: range.depth + 1 };
    },
    ends(range) {
      if (spelt === undefined) build();
      return range.lo < range.hi && lengths![range.lo] === range.depth;
    },
  };
  return index;
}
