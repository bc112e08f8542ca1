import type { Failed, Item } from '../util/item.ts';
import type { ModeResults } from './results.ts';
import { poolScores, scoreUtterance, type UtteranceScore } from '../metrics/index.ts';
import type { Matrix } from './heatmap.ts';

/** One mode on one utterance. */
export interface ModeRun {
  readonly mode: string;
  readonly text: string;
  readonly score?: UtteranceScore;
  readonly rtf: number;
  readonly totalMs: number;
  readonly framesAttendedPerToken: number;
  readonly tokens: number;
}

export interface ComparedUtterance {
  readonly id: string;
  readonly seconds: number;
  readonly reference?: string;
  readonly runs: readonly ModeRun[];
}

/** Pooled numbers of one mode over every transcribed utterance. */
export interface ModeSummary {
  readonly mode: string;
  readonly utterances: number;
  /** Utterances with a reference; WER and friends pool over these only. */
  readonly scored: number;
  readonly wer: number | null;
  readonly cer: number | null;
  readonly S: number;
  readonly D: number;
  readonly I: number;
  readonly N: number;
  /** Processing seconds over audio seconds, pooled (sum over sum). */
  readonly rtf: number;
  /** Encoder frames each decoder step saw, averaged over every output token of every utterance. */
  readonly framesAttendedPerToken: number;
  readonly audioSeconds: number;
  readonly processingSeconds: number;
}

/** The attention alignments of the longest utterance, one matrix per mode. */
export interface AlignmentPicture {
  readonly id: string;
  readonly seconds: number;
  readonly frameSeconds: number;
  readonly matrices: readonly { readonly mode: string; readonly matrix: Matrix; readonly wer?: number }[];
}

export interface Comparison {
  readonly model: string;
  readonly modes: readonly string[];
  readonly utterances: readonly ComparedUtterance[];
  readonly failed: readonly { readonly id: string; readonly code: string; readonly message: string }[];
  readonly summaries: readonly ModeSummary[];
  readonly alignment?: AlignmentPicture;
}

/** The running state while utterances arrive: a value, replaced on every step. */
export interface ComparisonState {
  readonly modes: readonly string[];
  readonly references: ReadonlyMap<string, string>;
  readonly model: string;
  readonly utterances: readonly ComparedUtterance[];
  readonly failed: readonly Failed[];
  readonly alignment?: AlignmentPicture;
}

export function emptyComparison(modes: readonly string[], references: ReadonlyMap<string, string>): ComparisonState {
  return { modes, references, model: '', utterances: [], failed: [] };
}

/**
 * Adds one utterance's results. Only the longest utterance's attention matrices are kept
 * (they are what the alignment picture shows); the others are dropped here, so memory does
 * not grow with the number of utterances times their length squared.
 */
export function addUtterance(state: ComparisonState, item: Item<ModeResults>): ComparisonState {
  if (!item.ok) return { ...state, failed: [...state.failed, item] };
  const { results, frameSeconds, model } = item.value;
  const reference = state.references.get(item.id);
  const seconds = results[0]?.timing.audioSeconds ?? 0;
  const runs: ModeRun[] = results.map((r) => ({
    mode: r.mode,
    text: r.text,
    ...(reference === undefined ? {} : { score: scoreUtterance(item.id, reference, r.text) }),
    rtf: r.timing.rtf,
    totalMs: r.timing.totalMs,
    framesAttendedPerToken: r.framesAttendedPerToken,
    tokens: r.tokens.length,
  }));
  const utterance: ComparedUtterance = { id: item.id, seconds, ...(reference === undefined ? {} : { reference }), runs };
  const longer = state.alignment === undefined || seconds > state.alignment.seconds;
  const matrices = results.flatMap((r, i) => (r.attention === undefined ? [] : [{ mode: r.mode, matrix: r.attention, ...(runs[i].score ? { wer: runs[i].score.wer } : {}) }]));
  return {
    ...state,
    model,
    utterances: [...state.utterances, utterance],
    alignment: longer && matrices.length > 0 ? { id: item.id, seconds, frameSeconds, matrices } : state.alignment,
  };
}

/** The per-mode summaries, once every utterance is in. */
export function finishComparison(state: ComparisonState): Comparison {
  const summaries = state.modes.map((mode): ModeSummary => {
    const runs = state.utterances.flatMap((u) => u.runs.filter((r) => r.mode === mode).map((r) => ({ run: r, seconds: u.seconds })));
    const scores = runs.flatMap(({ run }) => (run.score === undefined ? [] : [run.score]));
    const pooled = poolScores(scores);
    const audioSeconds = runs.reduce((s, r) => s + r.seconds, 0);
    const processingSeconds = runs.reduce((s, r) => s + r.run.totalMs / 1000, 0);
    const tokens = runs.reduce((s, r) => s + r.run.tokens, 0);
    const attended = runs.reduce((s, r) => s + r.run.framesAttendedPerToken * r.run.tokens, 0);
    return {
      mode,
      utterances: runs.length,
      scored: scores.length,
      wer: scores.length > 0 ? pooled.wer : null,
      cer: scores.length > 0 ? pooled.cer : null,
      S: pooled.S,
      D: pooled.D,
      I: pooled.I,
      N: pooled.N,
      rtf: audioSeconds > 0 ? processingSeconds / audioSeconds : 0,
      framesAttendedPerToken: tokens > 0 ? attended / tokens : 0,
      audioSeconds,
      processingSeconds,
    };
  });
  return {
    model: state.model,
    modes: state.modes,
    utterances: state.utterances,
    failed: state.failed.map((f) => ({ id: f.id, code: f.error.code, message: f.error.message })),
    summaries,
    ...(state.alignment === undefined ? {} : { alignment: state.alignment }),
  };
}
