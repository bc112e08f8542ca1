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

// Back-pointers, one byte per cell.
const DIAGONAL = 0;
const UP = 1; // consume a reference token: deletion
const LEFT = 2; // consume a hypothesis token: insertion

/**
 * Minimum-edit alignment. Among alignments of equal cost, the trace back from the end prefers
 * a diagonal step (match or substitution), then a deletion, then an insertion, so
 * `a b` / `b c` counts 2 substitutions rather than 1 deletion + 1 insertion (the usual
 * sclite/jiwer-style preference for fewer, substitution-heavy edits).
 *
 * Memory is (|ref| + 1) x (|hyp| + 1) bytes of back-pointers plus two cost rows, which is
 * fine for utterances (a 2 000-character CER alignment is 4 MB).
 */
export function align(ref: readonly string[], hyp: readonly string[]): Alignment {
  const n = ref.length;
  const m = hyp.length;
  const width = m + 1;
  const back = new Uint8Array((n + 1) * width); // [n + 1, m + 1]
  let prev = new Uint32Array(width);
  let cur = new Uint32Array(width);
  for (let j = 0; j <= m; j++) {
    prev[j] = j;
    back[j] = LEFT;
  }
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    back[i * width] = UP;
    const r = ref[i - 1];
    for (let j = 1; j <= m; j++) {
      const diagonal = prev[j - 1] + (r === hyp[j - 1] ? 0 : 1);
      const up = prev[j] + 1;
      const left = cur[j - 1] + 1;
      // Ties resolved in the preference order documented above.
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

  const pairs: AlignedPair[] = [];
  let S = 0;
  let D = 0;
  let I = 0;
  let C = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const move = back[i * width + j];
    if (move === DIAGONAL) {
      const same = ref[i - 1] === hyp[j - 1];
      if (same) C++;
      else S++;
      pairs.push({ ref: ref[i - 1], hyp: hyp[j - 1], op: same ? 'C' : 'S' });
      i--;
      j--;
    } else if (move === UP) {
      D++;
      pairs.push({ ref: ref[i - 1], hyp: null, op: 'D' });
      i--;
    } else {
      I++;
      pairs.push({ ref: null, hyp: hyp[j - 1], op: 'I' });
      j--;
    }
  }
  pairs.reverse();
  return { S, D, I, C, N: n, pairs };
}

/**
 * Error rate (S + D + I) / N. With an empty reference (N = 0) it is 0 for an empty hypothesis
 * and otherwise insertions / max(N, 1), i.e. the insertion count: finite, so reports and JSON
 * stay usable, and still non-zero for any spurious output.
 */
export function errorRate(counts: Pick<EditCounts, 'S' | 'D' | 'I' | 'N'>): number {
  return (counts.S + counts.D + counts.I) / Math.max(counts.N, 1);
}
