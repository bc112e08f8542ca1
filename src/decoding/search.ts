import type { AnyAttentionMode, AttentionStateBase, AttentionWindow } from '../attention/index.ts';
import { argmax } from '../attention/index.ts';
import type { HypothesisScorer } from './scorers.ts';
import type { DecoderSession, StepRow } from './session.ts';
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
}

export interface SearchResult {
  /** One record per output step of the best hypothesis, its final <eos> included if it ended so. */
  readonly steps: readonly StepRecord[];
  readonly logProb: number;
  readonly score: number;
  readonly decoderSteps: number; // batched decoder calls made
}

/**
 * Beam search over a DecoderSession (greedy is beam 1 with the greedy selector). All live
 * hypotheses go through ONE batched step call per output position. Candidates are ordered by
 * total score (the scorer's: attention log probability, or joint CTC/attention); an ending
 * candidate is set aside as finished, the others refill the beam. The search stops when no live hypothesis could still outscore the best finished one
 * under the ranker (or none is left); every hypothesis ends by the length cap at the latest.
 * Finished hypotheses are ranked by the (length-normalising) ranker.
 */
export async function beamSearch(session: DecoderSession, s: SearchStrategies): Promise<SearchResult> {
  const vocab = session.vocabSize;
  const logProbs = new Float32Array(vocab);
  const scores = new Float32Array(vocab);
  let alive: Hypothesis[] = [
    { parent: undefined, record: undefined, logProb: 0, length: 0, attention: s.mode.init(session.encoderFrames), stateRow: -1, scorerState: s.scorer.init() },
  ];
  const finished: Hypothesis[] = [];
  let decoderSteps = 0;

  let bestFinished = Number.NEGATIVE_INFINITY;
  while (alive.length > 0) {
    const rows: StepRow[] = alive.map((h) => ({ token: h.record?.token ?? s.sosId, parent: h.stateRow, window: s.mode.window(h.attention) }));
    const out = await session.step(rows);
    decoderSteps++;

    const candidates: { from: Hypothesis; row: number; record: StepRecord; attention: AttentionStateBase }[] = [];
    alive.forEach((h, b) => {
      const { window } = rows[b];
      const size = window.end - window.start;
      const weights = out.attn.subarray(b * out.width, b * out.width + size); // [window size]
      const attention = s.mode.update(h.attention, weights);
      const peakFrame = window.start + argmax(weights);
      const kept = s.keepWeights ? weights.slice() : undefined;
      const tokenScores = s.scorer.score(h.scorerState, logSoftmaxRow(out.logits, b, vocab, s.bannedTokens, logProbs), scores);
      for (const c of s.selector.select(tokenScores))
        candidates.push({ from: h, row: b, record: { token: c.token, logProb: c.logProb, window, peakFrame, weights: kept }, attention });
    });
    // Stable sort: equal scores keep hypothesis order, then token order.
    candidates.sort((a, b) => b.from.logProb + b.record.logProb - (a.from.logProb + a.record.logProb));

    const next: Hypothesis[] = [];
    for (const c of candidates) {
      const length = c.from.length + 1;
      const ends = s.end.isEnd(c.record.token, length);
      // A finished hypothesis is never extended, so only live ones need the scorer's new state.
      const scorerState = ends ? c.from.scorerState : s.scorer.advance(c.from.scorerState, c.record.token);
      const h: Hypothesis = { parent: c.from, record: c.record, logProb: c.from.logProb + c.record.logProb, length, attention: c.attention, stateRow: c.row, scorerState };
      if (ends) {
        finished.push(h);
        bestFinished = Math.max(bestFinished, s.ranker.score(h.logProb, h.length));
      } else next.push(h);
      if (next.length === s.beam) break;
    }
    alive = next;
    if (alive.every((h) => s.ranker.bestReachable(h.logProb, h.length, s.end.maxLength) <= bestFinished)) break;
  }

  // Every live hypothesis ends at the length cap, so `finished` is only empty if nothing could be proposed at all.
  const pool = finished.length > 0 ? finished : alive;
  let best: Hypothesis | undefined = pool[0];
  let bestScore = best === undefined ? 0 : s.ranker.score(best.logProb, best.length);
  for (const h of pool.slice(1)) {
    const score = s.ranker.score(h.logProb, h.length);
    if (score > bestScore) [best, bestScore] = [h, score];
  }
  const steps: StepRecord[] = [];
  for (let h: Hypothesis | undefined = best; h?.record !== undefined; h = h.parent) steps.push(h.record);
  steps.reverse();
  return { steps, logProb: best?.logProb ?? 0, score: bestScore, decoderSteps };
}
