import type { HypothesisScorer } from './scorers.ts';

/**
 * One step's candidates, best total first, scored only as far as the beam needs.
 *
 * What it gives is exactly what scoring every token of every hypothesis (HypothesisScorer.score),
 * taking each hypothesis's k best (topKSelector: best first, equal scores in token order) and
 * merging those lists by total (the hypothesis's log probability plus the token's score; equal
 * totals in hypothesis order) gives. But a beam takes only about `beam` candidates in all, of
 * the beam x V there are, and with a scorer that bounds its scores (bound / exact) only the
 * tokens that might come next are scored exactly:
 *
 * - a hypothesis's next candidate is known once its best exact score beats the bound of every
 *   token not yet scored exactly (an equal bound beats it too if its token comes first); until
 *   then the unscored token with the best bound is scored;
 * - the merge's next candidate is known once its total beats every other hypothesis's best
 *   bound (an equal one beats it too if that hypothesis comes first); until then the hypothesis
 *   with the best bound works out its next candidate.
 *
 * A token whose bound never comes up is never scored exactly. Tokens scoring -Infinity or NaN
 * are never candidates (topKSelector skips them).
 */
export class CandidateMerge {
  readonly #scorer: HypothesisScorer;
  readonly #pruned: boolean;
  readonly #V: number;
  readonly #k: number;
  /** Per row: the decoder's log probabilities [V] (filled by the search before add()). */
  readonly #attention: Float32Array[];
  /** Per row [V]: each token's bound while it is not scored exactly; -Infinity once it is. */
  readonly #open: Float32Array[];
  readonly #full: Float32Array; // [V] score()'s values, without pruning
  /** Per row: the tokens scored exactly and not yet taken, best first ([V] each), and their scores. */
  readonly #scoredTokens: Int32Array;
  readonly #scoredValues: Float64Array;
  readonly #scoredFirst: Int32Array; // per row: index (in its V slots) of its best scored token
  readonly #scoredEnd: Int32Array;
  readonly #base: Float64Array; // per row: the hypothesis's log probability
  readonly #taken: Int32Array;
  /** Per row: the best open bound and its token (-1: none open), as of the last look. */
  readonly #openBest: Float64Array;
  readonly #openToken: Int32Array;
  /** Per row: its next candidate once known (-1: not yet), and the best total it could still give. */
  readonly #head: Int32Array;
  readonly #reach: Float64Array;
  #rows = 0;
  /** The candidate next() took. */
  row = -1;
  token = -1;
  score = 0;
  total = 0;

  constructor(scorer: HypothesisScorer, vocabSize: number, maxRows: number, k: number) {
    this.#scorer = scorer;
    this.#pruned = scorer.bound !== undefined && scorer.exact !== undefined;
    this.#V = vocabSize;
    this.#k = k;
    const attention = new Float32Array(maxRows * vocabSize); // [rows, V]
    const open = new Float32Array(maxRows * vocabSize); // [rows, V]
    this.#attention = Array.from({ length: maxRows }, (_, b) => attention.subarray(b * vocabSize, (b + 1) * vocabSize));
    this.#open = Array.from({ length: maxRows }, (_, b) => open.subarray(b * vocabSize, (b + 1) * vocabSize));
    this.#full = new Float32Array(vocabSize);
    this.#scoredTokens = new Int32Array(maxRows * vocabSize);
    this.#scoredValues = new Float64Array(maxRows * vocabSize);
    this.#scoredFirst = new Int32Array(maxRows);
    this.#scoredEnd = new Int32Array(maxRows);
    this.#base = new Float64Array(maxRows);
    this.#taken = new Int32Array(maxRows);
    this.#openBest = new Float64Array(maxRows);
    this.#openToken = new Int32Array(maxRows);
    this.#head = new Int32Array(maxRows);
    this.#reach = new Float64Array(maxRows);
  }

  /** Row `row`'s scratch for the decoder's log probabilities [V]: fill it, then add() the row. */
  attention(row: number): Float32Array {
    return this.#attention[row];
  }

  /** Starts a step with rows 0..rows - 1 to come. */
  begin(rows: number): void {
    this.#rows = rows;
  }

  /** Row b's hypothesis: its scorer state and log probability so far (attention(b) filled). */
  add(b: number, state: unknown, logProb: number): void {
    const V = this.#V;
    this.#base[b] = logProb;
    this.#taken[b] = 0;
    this.#scoredFirst[b] = this.#scoredEnd[b] = b * V;
    const open = this.#open[b];
    if (this.#pruned) this.#scorer.bound!(state, this.#attention[b], b, open);
    else {
      // Every score exact from the start: the scored list is the selector's, and nothing is open.
      const full = this.#scorer.score(state, this.#attention[b], this.#full);
      for (let c = 0; c < V; c++) this.#insert(b, c, full[c]);
      open.fill(Number.NEGATIVE_INFINITY);
    }
    this.#findOpen(b);
    this.#estimate(b);
  }

  /** Takes the best candidate left; false when none is. Then row, token, score and total describe it. */
  next(): boolean {
    const reach = this.#reach;
    for (;;) {
      let best = -1;
      for (let b = 0; b < this.#rows; b++) if (reach[b] !== Number.NEGATIVE_INFINITY && (best < 0 || reach[b] > reach[best])) best = b;
      if (best < 0) return false;
      if (this.#head[best] < 0) {
        this.#resolve(best);
        continue;
      }
      const at = this.#scoredFirst[best]++;
      this.row = best;
      this.token = this.#scoredTokens[at];
      this.score = this.#scoredValues[at];
      this.total = reach[best];
      this.#taken[best]++;
      this.#estimate(best);
      return true;
    }
  }

  /** Adds token c's exact score to row b's scored list, in order (equal scores: lower token first). */
  #insert(b: number, c: number, value: number): void {
    if (value === Number.NEGATIVE_INFINITY || Number.isNaN(value)) return;
    const tokens = this.#scoredTokens;
    const values = this.#scoredValues;
    let at = this.#scoredEnd[b]++;
    const first = this.#scoredFirst[b];
    while (at > first && (values[at - 1] < value || (values[at - 1] === value && tokens[at - 1] > c))) {
      tokens[at] = tokens[at - 1];
      values[at] = values[at - 1];
      at--;
    }
    tokens[at] = c;
    values[at] = value;
  }

  /** Row b's best open bound (lower token on ties; a NaN bound, which says nothing, first). */
  #findOpen(b: number): void {
    const open = this.#open[b];
    let token = -1;
    let best = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < open.length; c++) {
      const u = open[c];
      if (u > best) {
        best = u;
        token = c;
      } else if (u !== u) {
        best = Number.POSITIVE_INFINITY;
        token = c;
        break;
      }
    }
    this.#openBest[b] = best;
    this.#openToken[b] = token;
  }

  /** Row b's reach while its next candidate is not known: the better of its best scored and best open. */
  #estimate(b: number): void {
    this.#head[b] = -1;
    const hasScored = this.#scoredFirst[b] < this.#scoredEnd[b];
    if (this.#taken[b] === this.#k || (!hasScored && this.#openToken[b] < 0)) {
      this.#reach[b] = Number.NEGATIVE_INFINITY;
      return;
    }
    const scored = hasScored ? this.#scoredValues[this.#scoredFirst[b]] : Number.NEGATIVE_INFINITY;
    const open = this.#openBest[b];
    this.#reach[b] = this.#base[b] + (open > scored ? open : scored);
  }

  /** Works out row b's next candidate (head, reach), scoring what it must. */
  #resolve(b: number): void {
    const open = this.#open[b];
    for (;;) {
      const token = this.#openToken[b];
      if (token < 0) break;
      const first = this.#scoredFirst[b];
      if (first < this.#scoredEnd[b]) {
        const e = this.#scoredValues[first];
        const u = this.#openBest[b];
        if (u < e || (u === e && token > this.#scoredTokens[first])) break;
      }
      this.#insert(b, token, this.#scorer.exact!(b, token));
      open[token] = Number.NEGATIVE_INFINITY;
      this.#findOpen(b);
    }
    const first = this.#scoredFirst[b];
    if (first < this.#scoredEnd[b]) {
      this.#head[b] = first;
      this.#reach[b] = this.#base[b] + this.#scoredValues[first];
    } else {
      this.#head[b] = -1;
      this.#reach[b] = Number.NEGATIVE_INFINITY;
    }
  }
}
