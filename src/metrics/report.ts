import { errorRate, type EditCounts } from './align.ts';
import { charErrors, wordErrors } from './errorRates.ts';
import type { NormalizeOptions } from './normalizeText.ts';

/** One scored utterance. Word counts at the top level; character counts under `chars`. */
export interface UtteranceScore extends EditCounts {
  readonly id: string;
  readonly ref: string; // normalised
  readonly hyp: string; // normalised
  readonly wer: number;
  readonly cer: number;
  readonly chars: EditCounts;
}

/**
 * Corpus totals. WER and CER pool the counts (sum of S + D + I over sum of N), so long
 * utterances weigh more; `meanWer` (the mean of per-utterance WERs) is there only for
 * comparison and is not the corpus WER.
 */
export interface PooledScore extends EditCounts {
  readonly utterances: number;
  readonly wer: number;
  readonly cer: number;
  readonly chars: EditCounts;
  /** Utterances with at least one word error. */
  readonly sentenceErrors: number;
  readonly meanWer: number;
}

const counts = ({ S, D, I, C, N }: EditCounts): EditCounts => ({ S, D, I, C, N });

export function scoreUtterance(id: string, ref: string, hyp: string, opts: Partial<NormalizeOptions> = {}): UtteranceScore {
  const w = wordErrors(ref, hyp, opts);
  const c = charErrors(ref, hyp, opts);
  return { id, ref: w.ref, hyp: w.hyp, ...counts(w), wer: w.rate, cer: c.rate, chars: counts(c) };
}

function sum(rows: readonly EditCounts[]): EditCounts {
  const total = { S: 0, D: 0, I: 0, C: 0, N: 0 };
  for (const r of rows) {
    total.S += r.S;
    total.D += r.D;
    total.I += r.I;
    total.C += r.C;
    total.N += r.N;
  }
  return total;
}

/** Pools the rows; an empty list gives all-zero counts and rates. */
export function poolScores(rows: readonly UtteranceScore[]): PooledScore {
  const wordsTotal = sum(rows);
  const charsTotal = sum(rows.map((r) => r.chars));
  return {
    utterances: rows.length,
    ...wordsTotal,
    wer: errorRate(wordsTotal),
    cer: errorRate(charsTotal),
    chars: charsTotal,
    sentenceErrors: rows.filter((r) => r.S + r.D + r.I > 0).length,
    meanWer: rows.length === 0 ? 0 : rows.reduce((a, r) => a + r.wer, 0) / rows.length,
  };
}
