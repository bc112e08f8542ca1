import type { AnyAttentionMode, AttentionStateBase, AttentionWindow } from '../attention/index.ts';
import { argmax } from '../util/argmax.ts';
import type { HypothesisScorer } from './scorers.ts';
import type { DecoderSession, StepRow } from './session.ts';
import { CandidateMerge } from './candidateMerge.ts';
import { logSoftmaxRow, type BeamRanker, type EndDetector, type TokenSelector } from './strategies.ts';

/** What one decoder step did for the token it produced. */
export interface StepRecord {
  readonly token: number;
  /** The token's score: its attention log probability, or the joint CTC/attention score. */
  readonly logProb: number;
  readonly window: AttentionWindow;
  readonly peakFrame: number; // absolute encoder frame of the attention peak
  readonly weights: Float32Array | undefined; // [window size], kept only when attention is requested
}

/** A hypothesis is a linked list back to the root, so forking a beam copies nothing. */
interface Hypothesis {
  readonly parent: Hypothesis | undefined;
  readonly record: StepRecord | undefined; // undefined at the root
  readonly logProb: number; // sum over the path
  readonly length: number;
  readonly attention: AttentionStateBase;
  readonly stateRow: number; // output row of the last step holding this hypothesis's decoder state; -1 for the root
  readonly scorerState: unknown; // the scorer's state (CTC prefix variables), made only for survivors
}

export interface SearchStrategies {
  /**
   * Each hypothesis's candidates: its selector.k best tokens, in select()'s order (best first,
   * equal scores in token order); the search takes them so without calling select(), scoring
   * exactly only what the beam needs (candidateMerge.ts).
   */
  readonly selector: TokenSelector;
  /** Turns the decoder's log-probabilities into token scores (attention only, or joint CTC/attention). */
  readonly scorer: HypothesisScorer;
  readonly ranker: BeamRanker;
  readonly end: EndDetector;
  readonly mode: AnyAttentionMode;
  readonly beam: number;
  readonly sosId: number;
  /** Never proposed: <blank> (CTC only) and <sos>. */
  readonly bannedTokens: readonly number[];
  readonly keepWeights: boolean;
  /**
   * Ends the search once every live hypothesis's ranked score is more than this below the best
   * finished one's (with the default ranker: its mean score per token so far); Infinity turns
   * it off, leaving only the exact rule (no live hypothesis can still win).
   */
  readonly endMargin: number;
}

export interface SearchResult {
  /** One record per output step of the best hypothesis, its final <eos> included if it ended so. */
  readonly steps: readonly StepRecord[];
  readonly logProb: number;
  readonly score: number;
  readonly decoderSteps: number; // batched decoder calls made
}

/**
 * A search in progress, one batched decoder step at a time, so that offline decoding (run to the
 * end at once) and streaming (a step only once the frames it attends to exist) are the same
 * code. State lives in the returned object; hypotheses themselves are immutable values.
 */
export interface Search {
  /** No live hypothesis is left that could still win. */
  readonly done: boolean;
  /** Decoder steps (batched calls) made. */
  readonly decoderSteps: number;
  /** Output tokens of the longest-lived best hypothesis so far: the best live one, or the winner once done. */
  readonly length: number;
  /** More encoder frames exist now (streaming); counts only grow. */
  extend(framesAvailable: number): void;
  /** Whether every live hypothesis's next window is final (see AttentionMode.isReady). */
  ready(inputEnded: boolean): boolean;
  /** One batched step over every live hypothesis. */
  step(): Promise<void>;
  /** Ends the search where it stands (the input ended at the length cap). */
  stop(): void;
  /** The best finished hypothesis, or the best live one when none has finished (yet). */
  best(): SearchResult;
  /** The attention state of the best live (or, once done, winning) hypothesis. */
  bestAttention(): AttentionStateBase;
}

/**
 * Beam search over a DecoderSession (greedy is beam 1 with the greedy selector). All live
 * hypotheses go through ONE batched step call per output position. Candidates are ordered by
 * total score (the scorer's: attention log probability, or joint CTC/attention); an ending
 * candidate is set aside as finished, the others refill the beam. The search is done when no
 * live hypothesis could still outscore the best finished one under the ranker (or none is
 * left); every hypothesis ends by the length cap at the latest. Finished hypotheses are ranked
 * by the (length-normalising) ranker.
 */
export function createSearch(session: DecoderSession, s: SearchStrategies): Search {
  const vocab = session.vocabSize;
  const merge = new CandidateMerge(s.scorer, vocab, s.beam, s.selector.k);
  let alive: Hypothesis[] = [
    { parent: undefined, record: undefined, logProb: 0, length: 0, attention: s.mode.init(session.encoderFrames), stateRow: -1, scorerState: s.scorer.init() },
  ];
  const finished: Hypothesis[] = [];
  let decoderSteps = 0;
  let bestFinished = Number.NEGATIVE_INFINITY;
  let done = false;

  const winner = (): { best: Hypothesis | undefined; score: number } => {
    // Every live hypothesis ends at the length cap, so `finished` is only empty if nothing could be proposed at all.
    const pool = finished.length > 0 ? finished : alive;
    let best: Hypothesis | undefined = pool[0];
    let score = best === undefined ? 0 : s.ranker.score(best.logProb, best.length);
    for (const h of pool.slice(1)) {
      const hs = s.ranker.score(h.logProb, h.length);
      if (hs > score) [best, score] = [h, hs];
    }
    return { best, score };
  };
  const shown = (): Hypothesis | undefined => (done || alive.length === 0 ? winner().best : alive[0]);

  return {
    get done() {
      return done;
    },
    get decoderSteps() {
      return decoderSteps;
    },
    get length() {
      return shown()?.length ?? 0;
    },
    extend(framesAvailable) {
      alive = alive.map((h) => ({ ...h, attention: s.mode.extend(h.attention, framesAvailable) }));
    },
    ready: (inputEnded) => alive.every((h) => s.mode.isReady(h.attention, inputEnded)),
    stop() {
      done = true;
    },
    async step() {
      if (done) return;
      const rows: StepRow[] = alive.map((h) => ({ token: h.record?.token ?? s.sosId, parent: h.stateRow, window: s.mode.window(h.attention) }));
      const out = await session.step(rows);
      decoderSteps++;

      // Each hypothesis's candidates, best first (as every TokenSelector gives them).
      merge.begin(alive.length);
      const updated: AttentionStateBase[] = [];
      const peaks: number[] = [];
      const keptWeights: (Float32Array | undefined)[] = [];
      for (let b = 0; b < alive.length; b++) {
        const h = alive[b];
        const { window } = rows[b];
        const size = window.end - window.start;
        const weights = out.attn.subarray(b * out.width, b * out.width + size); // [window size]
        updated.push(s.mode.update(h.attention, weights));
        peaks.push(window.start + argmax(weights));
        keptWeights.push(s.keepWeights ? weights.slice() : undefined);
        logSoftmaxRow(out.logits, b, vocab, s.bannedTokens, merge.attention(b));
        merge.add(b, h.scorerState, h.logProb);
      }

      // All candidates by total score, best first, equal totals in hypothesis order and then in
      // each one's own order (the selector's): what a stable sort of them all gives, and only as
      // far as the beam needs (candidateMerge.ts); records are made only for the hypotheses.
      const next: Hypothesis[] = [];
      while (next.length < s.beam && merge.next()) {
        const { row, token, score, total } = merge;
        const from = alive[row];
        const length = from.length + 1;
        const ends = s.end.isEnd(token, length);
        // A finished hypothesis is never extended, so only live ones need the scorer's new state.
        const scorerState = ends ? from.scorerState : s.scorer.advance(from.scorerState, token);
        const record: StepRecord = { token, logProb: score, window: rows[row].window, peakFrame: peaks[row], weights: keptWeights[row] };
        const h: Hypothesis = { parent: from, record, logProb: total, length, attention: updated[row], stateRow: row, scorerState };
        if (ends) {
          finished.push(h);
          bestFinished = Math.max(bestFinished, s.ranker.score(h.logProb, h.length));
        } else next.push(h);
      }
      if (next.length > 0 || finished.length > 0) alive = next;
      else done = true; // nothing could be proposed (every score NaN): keep what there is
      if (alive.every((h) => s.ranker.bestReachable(h.logProb, h.length, s.end.maxLength) <= bestFinished)) done = true;
      // A heuristic end (as ESPnet's end detection): the exact rule above waits for any live
      // hypothesis that could in theory still win, which with length normalisation is nearly
      // every one until the length cap.
      else if (finished.length > 0 && alive.every((h) => s.ranker.score(h.logProb, h.length) < bestFinished - s.endMargin)) done = true;
    },
    best() {
      const { best, score } = done ? winner() : { best: shown(), score: 0 };
      const steps: StepRecord[] = [];
      for (let h: Hypothesis | undefined = best; h?.record !== undefined; h = h.parent) steps.push(h.record);
      steps.reverse();
      return { steps, logProb: best?.logProb ?? 0, score: done ? score : s.ranker.score(best?.logProb ?? 0, best?.length ?? 0), decoderSteps };
    },
    bestAttention() {
      return shown()?.attention ?? s.mode.init(session.encoderFrames);
    },
  };
}

/** Runs a search to the end: the offline decoder. */
export async function beamSearch(session: DecoderSession, s: SearchStrategies): Promise<SearchResult> {
  const search = createSearch(session, s);
  while (!search.done) await search.step();
  return search.best();
}
