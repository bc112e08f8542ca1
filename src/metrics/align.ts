/**
 * Levenshtein alignment of two token sequences (words for WER, characters for CER), with unit
 * costs for substitution, deletion and insertion.
 */

export type EditOp = 'C' | 'S' | 'D' | 'I'; // correct, substitution, deletion, insertion

export interface AlignedPair {
  readonly ref: string | null; // null for an insertion
  readonly hyp: string | null; // null for a deletion
  readonly op: EditOp;
}

export interface EditCounts {
  readonly S: number;
  readonly D: number;
  readonly I: number;
  readonly C: number;
  /** Reference length: S + D + C. */
  readonly N: number;
}

export interface Alignment extends EditCounts {
  readonly pairs: readonly AlignedPair[];
}

// Back-pointers of the small blocks, one byte per cell.
const DIAGONAL = 0;
const UP = 1; // consume a reference token: deletion
const LEFT = 2; // consume a hypothesis token: insertion

/** Blocks up to this many cells are aligned with a full back-pointer matrix (64 KiB). */
const BLOCK_CELLS = 1 << 16;

/**
 * Minimum-edit alignment. Among alignments with the fewest edits it takes one with the fewest
 * deletions plus insertions, so `a b` / `b c` counts 2 substitutions rather than 1 deletion + 1
 * insertion (the usual sclite/jiwer-style preference for fewer, substitution-heavy edits); in a
 * remaining tie the diagonal step is preferred, then a deletion, then an insertion.
 *
 * Both preferences are one additive cost: a substitution costs `unit`, a deletion or insertion
 * `unit + 1`, where `unit` exceeds any possible count of deletions and insertions. Memory is
 * linear (Hirschberg): the reference is halved, the hypothesis split where the forward and
 * backward cost rows meet at the least total, and each half aligned alone, down to blocks small
 * enough for a back-pointer matrix. A 50 000-character CER alignment needs rows of 50 001
 * numbers, not 2.5 GB; the time stays O(|ref| x |hyp|), about twice one pass.
 */
export function align(ref: readonly string[], hyp: readonly string[]): Alignment {
  const unit = ref.length + hyp.length + 1;
  // Tokens as small integers: the inner loops compare numbers, not strings.
  const ids = new Map<string, number>();
  const intern = (tokens: readonly string[]) => Int32Array.from(tokens, (t) => ids.get(t) ?? (ids.set(t, ids.size), ids.size - 1));
  const seq = { ref, hyp, refIds: intern(ref), hypIds: intern(hyp) };
  const pairs: AlignedPair[] = [];
  hirschberg(seq, 0, ref.length, 0, hyp.length, unit, pairs);
  let S = 0;
  let D = 0;
  let I = 0;
  let C = 0;
  for (const p of pairs) {
    if (p.op === 'C') C++;
    else if (p.op === 'S') S++;
    else if (p.op === 'D') D++;
    else I++;
  }
  return { S, D, I, C, N: ref.length, pairs };
}

interface Sequences {
  readonly ref: readonly string[];
  readonly hyp: readonly string[];
  readonly refIds: Int32Array;
  readonly hypIds: Int32Array;
}

/** Appends the alignment of ref[r0, r1) with hyp[h0, h1) to `out`, in order. */
function hirschberg(seq: Sequences, r0: number, r1: number, h0: number, h1: number, unit: number, out: AlignedPair[]): void {
  if (r1 - r0 <= 1 || (r1 - r0 + 1) * (h1 - h0 + 1) <= BLOCK_CELLS) return alignBlock(seq, r0, r1, h0, h1, unit, out);
  const mid = (r0 + r1) >> 1;
  const forward = costRow(seq, r0, mid, h0, h1, unit, false); // [j]: ref[r0, mid) vs hyp[h0, h0 + j)
  const backward = costRow(seq, mid, r1, h0, h1, unit, true); // [j]: ref[mid, r1) vs hyp[h1 - j, h1)
  const m = h1 - h0;
  let split = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let j = 0; j <= m; j++) {
    const total = forward[j] + backward[m - j];
    if (total < best) {
      best = total;
      split = j;
    }
  }
  hirschberg(seq, r0, mid, h0, h0 + split, unit, out);
  hirschberg(seq, mid, r1, h0 + split, h1, unit, out);
}

/** The last row of the cost matrix, in two rows of memory; `reversed` runs from the ends backwards. */
function costRow(seq: Sequences, r0: number, r1: number, h0: number, h1: number, unit: number, reversed: boolean): Float64Array {
  const { refIds: ref, hypIds: hyp } = seq;
  const m = h1 - h0;
  const indel = unit + 1;
  let prev = new Float64Array(m + 1);
  let cur = new Float64Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j * indel;
  for (let i = 1; i <= r1 - r0; i++) {
    const r = reversed ? ref[r1 - i] : ref[r0 + i - 1];
    let left = i * indel;
    cur[0] = left;
    let diagonalBase = prev[0];
    for (let j = 1; j <= m; j++) {
      const h = reversed ? hyp[h1 - j] : hyp[h0 + j - 1];
      const above = prev[j];
      let best = diagonalBase + (r === h ? 0 : unit);
      if (above + indel < best) best = above + indel;
      if (left + indel < best) best = left + indel;
      cur[j] = best;
      left = best;
      diagonalBase = above;
    }
    [prev, cur] = [cur, prev];
  }
  return prev;
}

/** A small block with a full back-pointer matrix: [r1 - r0 + 1, h1 - h0 + 1] bytes. */
function alignBlock(seq: Sequences, r0: number, r1: number, h0: number, h1: number, unit: number, out: AlignedPair[]): void {
  const { ref, hyp, refIds, hypIds } = seq;
  const n = r1 - r0;
  const m = h1 - h0;
  const indel = unit + 1;
  const width = m + 1;
  const back = new Uint8Array((n + 1) * width);
  let prev = new Float64Array(width);
  let cur = new Float64Array(width);
  for (let j = 0; j <= m; j++) {
    prev[j] = j * indel;
    back[j] = LEFT;
  }
  for (let i = 1; i <= n; i++) {
    cur[0] = i * indel;
    back[i * width] = UP;
    const r = refIds[r0 + i - 1];
    for (let j = 1; j <= m; j++) {
      const diagonal = prev[j - 1] + (r === hypIds[h0 + j - 1] ? 0 : unit);
      const up = prev[j] + indel;
      const left = cur[j - 1] + indel;
      // Ties resolved in the preference order documented at align().
      let best = diagonal;
      let move = DIAGONAL;
      if (up < best) {
        best = up;
        move = UP;
      }
      if (left < best) {
        best = left;
        move = LEFT;
      }
      cur[j] = best;
      back[i * width + j] = move;
    }
    [prev, cur] = [cur, prev];
  }
  const start = out.length;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const move = back[i * width + j];
    if (move === DIAGONAL) {
      const r = ref[r0 + i - 1];
      const h = hyp[h0 + j - 1];
      out.push({ ref: r, hyp: h, op: r === h ? 'C' : 'S' });
      i--;
      j--;
    } else if (move === UP) {
      out.push({ ref: ref[r0 + i - 1], hyp: null, op: 'D' });
      i--;
    } else {
      out.push({ ref: null, hyp: hyp[h0 + j - 1], op: 'I' });
      j--;
    }
  }
  // Traced from the end: reverse this block's part in place.
  for (let a = start, b = out.length - 1; a < b; a++, b--) [out[a], out[b]] = [out[b], out[a]];
}

/**
 * Error rate (S + D + I) / N. With an empty reference (N = 0) it is 0 for an empty hypothesis
 * and otherwise insertions / max(N, 1), i.e. the insertion count: finite, so reports and JSON
 * stay usable, and still non-zero for any spurious output.
 */
export function errorRate(counts: Pick<EditCounts, 'S' | 'D' | 'I' | 'N'>): number {
  return (counts.S + counts.D + counts.I) / Math.max(counts.N, 1);
}
