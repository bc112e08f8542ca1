/**
 * The LM's training words, walked one symbol at a time, for the out-of-vocabulary penalty of
 * shallow fusion. The search asks, for every hypothesis and every next character, whether some
 * training word still begins with the word being spelt; with the words sorted by their
 * spelling in LM symbols, the words that begin with a given prefix are one contiguous range,
 * and the next symbol narrows it by binary search over one column of symbols. That answers
 * exactly what `words.some((w) => w.startsWith(prefix))` does, without building strings.
 *
 * The search asks about the same few ranges over and over (every hypothesis spelling a common
 * word, for every next character, in every utterance), so each range the index hands out
 * remembers its answers: the range after each symbol (found once, then shared), and whether it
 * is a whole word. What is remembered is at most the prefixes of the training words that a
 * search has spelt, one slot per symbol each.
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
  /**
   * Whether continuationMask() can answer: at most MASK_SYMBOLS symbols. The search's bound asks
   * continues() of every symbol for every hypothesis; a mask answers them all at once.
   */
  readonly maskable: boolean;
  /** Bit s set for each symbol s that continues(range, s) is true for (maskable indexes only). */
  continuationMask(range: WordRange): number;
}

/** The most symbols a continuation mask holds: one bit each of a 32-bit integer. */
export const MASK_SYMBOLS = 31;

/** A range this index made, with its answers so far. */
class Node implements WordRange {
  /** Per symbol: the range after it, null when no word has it next; unset until asked. */
  children: (Node | null | undefined)[] | undefined = undefined;
  /** Whether the range's first word ends here; unset until asked. */
  whole: boolean | undefined = undefined;
  /** The continuation mask; unset until asked. */
  mask: number | undefined = undefined;
  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly depth: number,
  ) {}
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

  /** The words of [lo, hi) at `depth` whose next symbol is `symbol`, as a new range; null when none is. */
  const find = (range: WordRange, symbol: number): Node | null => {
    if (spelt === undefined) build();
    const lo = lowerBound(range.lo, range.hi, range.depth, symbol);
    if (!(lo < range.hi && symbolAt(lo, range.depth) === symbol)) return null;
    return new Node(lo, lowerBound(lo, range.hi, range.depth, symbol + 1), range.depth + 1);
  };
  const child = (range: WordRange, symbol: number): Node | null => {
    // Ranges made elsewhere (or symbols past the alphabet) are answered afresh each time.
    if (!(range instanceof Node) || !(symbol >= 0 && symbol < characters.length)) return find(range, symbol);
    const children = (range.children ??= new Array<Node | null | undefined>(characters.length).fill(undefined));
    let found = children[symbol];
    if (found === undefined) found = children[symbol] = find(range, symbol);
    return found;
  };

  const maskable = characters.length <= MASK_SYMBOLS;
  const index: WordIndex = {
    root: new Node(0, count, 0),
    maskable,
    continuationMask(range) {
      if (!maskable) throw new RangeError(`a continuation mask holds ${MASK_SYMBOLS} symbols, this index has ${characters.length}`);
      if (range instanceof Node && range.mask !== undefined) return range.mask;
      let mask = 0;
      for (let symbol = 0; symbol < characters.length; symbol++) if (child(range, symbol) !== null) mask |= 1 << symbol;
      if (range instanceof Node) range.mask = mask;
      return mask;
    },
    continues: (range, symbol) => child(range, symbol) !== null,
    next: (range, symbol) => child(range, symbol) ?? undefined,
    ends(range) {
      if (range instanceof Node && range.whole !== undefined) return range.whole;
      if (spelt === undefined) build();
      const whole = range.lo < range.hi && lengths![range.lo] === range.depth;
      if (range instanceof Node) range.whole = whole;
      return whole;
    },
  };
  return index;
}
