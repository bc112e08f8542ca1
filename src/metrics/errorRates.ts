import { align, errorRate, type Alignment } from './align.ts';
import { normalizeText, type NormalizeOptions } from './normalizeText.ts';

/** An alignment plus its rate and the normalised texts it was computed from. */
export interface ErrorResult extends Alignment {
  /** (S + D + I) / N; see `errorRate` for N = 0. */
  readonly rate: number;
  readonly ref: string; // normalised
  readonly hyp: string; // normalised
}

/** Words of a normalised transcript: split on single spaces; "" has no words. */
export function words(normalised: string): string[] {
  return normalised === '' ? [] : normalised.split(' ');
}

/**
 * Characters of a normalised transcript for CER. Spaces count: the single spaces between
 * words are characters, so a wrong word boundary ("a cat" / "acat") is one error. Leading and
 * trailing spaces never exist after normalisation. Code points, not UTF-16 units, in case
 * normalisation is turned off.
 */
export function characters(normalised: string): string[] {
  return Array.from(normalised);
}

function score(ref: string, hyp: string, opts: Partial<NormalizeOptions>, tokens: (s: string) => string[]): ErrorResult {
  const r = normalizeText(ref, opts);
  const h = normalizeText(hyp, opts);
  const alignment = align(tokens(r), tokens(h));
  return { ...alignment, rate: errorRate(alignment), ref: r, hyp: h };
}

/** Word errors of one utterance; both texts are normalised first (`opts` as in normalizeText). */
export function wordErrors(ref: string, hyp: string, opts: Partial<NormalizeOptions> = {}): ErrorResult {
  return score(ref, hyp, opts, words);
}

/** Character errors of one utterance over the normalised texts, spaces included. */
export function charErrors(ref: string, hyp: string, opts: Partial<NormalizeOptions> = {}): ErrorResult {
  return score(ref, hyp, opts, characters);
}
