import { ModelError } from '../errors.ts';
import type { CharLm, LmContext } from '../model/charLm.ts';
import type { LoadedModel } from '../model/loadBundle.ts';
import type { Vocabulary } from '../model/vocab.ts';
import type { WordRange } from '../model/wordIndex.ts';
import type { WordLm, WordLmContext } from '../model/wordLm.ts';
import type { HypothesisScorer } from './scorers.ts';

/** A bundle's language model as the decoder uses it: the model and its default fusion weight. */
export interface FusionLm {
  readonly model: CharLm;
  /** The weight used when the options name none (config.json lm.weight, chosen on the validation voices). */
  readonly weight: number;
  /** The out-of-vocabulary penalty used when the options name none (config.json lm.oovPenalty, else 0). */
  readonly oovPenalty: number;
  /** The word penalty used when the options name none (config.json lm.wordPenalty, else 0). */
  readonly wordPenalty: number;
  /** The bundle's word LM, scored at each word's end, and its default weight (config.json lm.word); absent: none. */
  readonly word?: WordFusion;
}

/** A word LM in fusion: each word, when it ends, scores weight * ln p(word | the words before it). */
export interface WordFusion {
  readonly model: WordLm;
  readonly weight: number;
}

/** The loaded bundle's LM for a DecodeContext; undefined when the bundle has none. */
export function fusionLmOf(model: Pick<LoadedModel, 'lm' | 'wordLm' | 'card'>): FusionLm | undefined {
  if (model.lm === undefined) return undefined;
  const lm = model.card.lm;
  const word = model.wordLm === undefined ? {} : { word: { model: model.wordLm, weight: lm?.word?.weight ?? 0 } };
  return { model: model.lm, weight: lm?.weight ?? 0, oovPenalty: lm?.oovPenalty ?? 0, wordPenalty: lm?.wordPenalty ?? 0, ...word };
}

interface FusedState {
  readonly inner: unknown;
  readonly context: LmContext;
  /**
   * The training words that begin with the word being spelt (since the last space); undefined
   * once it has left the vocabulary (and paid the penalty for it), or when there is no OOV
   * penalty to track it for.
   */
  readonly word: WordRange | undefined;
  /** With a word LM: the word being spelt, and the words before it as the word LM's context. */
  readonly spelt: string;
  readonly history: WordLmContext | undefined;
}

/**
 * For each vocabulary id, the LM's symbol: its character, end of sentence for <eos>, -1 for
 * tokens the decoder never proposes (<blank>, <sos>). Throws when a text token has no symbol.
 */
export function lmSymbols(vocab: Vocabulary, lm: CharLm, eosId: number): Int32Array {
  const map = new Int32Array(vocab.size).fill(-1);
  for (let id = 0; id < vocab.size; id++) {
    if (id === eosId) map[id] = lm.eos;
    else if (vocab.isText(id)) {
      map[id] = lm.characters.indexOf(vocab.tokens[id]);
      if (map[id] < 0) throw new ModelError('MODEL_MISMATCH', `the language model has no symbol for token ${JSON.stringify(vocab.tokens[id])}`);
    }
  }
  return map;
}

/**
 * Shallow fusion (Gulcehre et al. 2015; the LAS paper's LM rescoring done in the search): each
 * token's score from `inner` (attention, or joint CTC/attention) gains weight * ln p_lm(token |
 * the hypothesis's characters), <eos> scored as the end of the sentence. The LM's context rides
 * along in the scorer state, so forking a hypothesis forks it too. Tokens the inner scorer rules
 * out (-Infinity) stay ruled out.
 *
 * `oovPenalty` is subtracted once per word that is not a word of the LM's training text, at the
 * first character where it stops being the beginning of one (or at its end, for a word that
 * stops short), so the beam drops a misspelling before it has spent its width on it.
 * `wordPenalty` is subtracted from every space: the LM likes word boundaries, and fused with it
 * the search splits words ("mealation ship").
 *
 * `wordLm` (multi-level fusion, as in Hori et al. 2018, with the character LM kept inside words):
 * a space or <eos> that ends a word also gains wordLm.weight * ln p_word(word | the words before
 * it), and <eos> the word LM's end of sentence.
 */
export function lmFusionScorer(inner: HypothesisScorer, lm: CharLm, weight: number, symbols: Int32Array, oovPenalty = 0, wordPenalty = 0, wordLm?: WordFusion): HypothesisScorer {
  const lmLogProbs = new Float64Array(lm.outputs);
  const space = lm.characters.indexOf(' ');
  const words = lm.words;
  const start = oovPenalty === 0 ? undefined : words.root;
  const wordModel = wordLm !== undefined && wordLm.weight > 0 ? wordLm.model : undefined;
  const wordWeight = wordLm?.weight ?? 0;
  /** What the word LM adds when the word being spelt ends: [at a space, at <eos>]. */
  const wordEnding = (s: FusedState, into: Float64Array, at: number) => {
    let atSpace = 0;
    let atEos = 0;
    if (wordModel !== undefined && s.history !== undefined) {
      if (s.spelt === '') atEos = wordWeight * wordModel.logProb(s.history, wordModel.eos);
      else {
        const symbol = wordModel.symbolOf(s.spelt);
        atSpace = wordWeight * wordModel.logProb(s.history, symbol);
        atEos = atSpace + wordWeight * wordModel.logProb(wordModel.advance(s.history, symbol), wordModel.eos);
      }
    }
    into[at] = atSpace;
    into[at + 1] = atEos;
  };
  /**
   * The fused terms of every token, added in place to the inner scores `out` (float32, so each
   * addition rounds as exact()'s fuse() rounds it): the character LM's `logProbs`, the word LM's
   * terms `atSpace` / `atEos` (or bounds of them) less the word penalty at a space, and the OOV
   * penalty where the word being spelt (`word`) leaves the vocabulary. score() and bound() differ
   * only in the word LM's terms.
   */
  const fuseRow = (out: Float32Array, logProbs: Float64Array, word: WordRange | undefined, atSpace: number, atEos: number): Float32Array => {
    // Whether the word goes on in the vocabulary, read from one mask rather than asked symbol by symbol.
    const mask = word !== undefined && words.maskable ? words.continuationMask(word) : 0;
    for (let c = 0; c < out.length; c++) {
      if (out[c] === Number.NEGATIVE_INFINITY) continue;
      const symbol = symbols[c];
      if (symbol < 0) {
        out[c] = Number.NEGATIVE_INFINITY;
        continue;
      }
      out[c] += weight * logProbs[symbol];
      if (symbol === space) out[c] += atSpace - wordPenalty;
      else if (symbol === lm.eos) out[c] += atEos;
      if (word === undefined) continue; // no penalty, or already paid for this word
      const ends = symbol === space || symbol === lm.eos;
      if (ends ? word.depth > 0 && !words.ends(word) : words.maskable ? ((mask >>> symbol) & 1) === 0 : !words.continues(word, symbol)) out[c] -= oovPenalty;
    }
    return out;
  };
  const ending = new Float64Array(2);
  const scorer: HypothesisScorer = {
    init: (): FusedState => ({ inner: inner.init(), context: lm.initial(), word: start, spelt: '', history: wordModel?.initial() }),
    score(state, attention, out) {
      const s = state as FusedState;
      inner.score(s.inner, attention, out);
      lm.logProbs(s.context, lmLogProbs);
      // What the word LM adds when the word being spelt ends here: at a space, and at <eos>.
      wordEnding(s, ending, 0);
      return fuseRow(out, lmLogProbs, s.word, ending[0], ending[1]);
    },
    advance(state, token): FusedState {
      const s = state as FusedState;
      // Only live hypotheses are advanced, and they never hold <eos>.
      const symbol = symbols[token];
      if (symbol < 0 || symbol === lm.eos) return { ...s, inner: inner.advance(s.inner, token) };
      const context = lm.advance(s.context, symbol);
      if (symbol === space) {
        const history = wordModel === undefined || s.history === undefined || s.spelt === '' ? s.history : wordModel.advance(s.history, wordModel.symbolOf(s.spelt));
        return { inner: inner.advance(s.inner, token), context, word: start, spelt: '', history };
      }
      const spelt = wordModel === undefined ? '' : s.spelt + lm.characters[symbol];
      return { inner: inner.advance(s.inner, token), context, word: s.word === undefined ? undefined : words.next(s.word, symbol), spelt, history: s.history };
    },
  };
  const innerBound = inner.bound;
  const innerExact = inner.exact;
  if (innerBound === undefined || innerExact === undefined) return scorer;

  // Pruned scoring: the character LM's terms as score() adds them (one copy of a memoised
  // distribution), the word LM's (a few lookups of a string, for a space and <eos> only) bounded
  // by WORD_TERM_BOUND and worked out only when exact() asks about a space or <eos>. Per slot:
  // the state, its LM distribution, and its word LM terms once known.
  const states: FusedState[] = [];
  const slotLogProbs: Float64Array[] = []; // per slot [lm.outputs]
  const slotEnding: Float64Array[] = []; // per slot [2]: at a space, at <eos>
  const endingKnown: boolean[] = [];
  const endingBound = wordModel === undefined ? 0 : WORD_TERM_BOUND;
  /** score()'s additions to the inner score `value` of token c, as score() rounds them; `atSpace` / `atEos` the word LM's terms (or their bounds). */
  const fuse = (value: number, c: number, logProbs: Float64Array, word: WordRange | undefined, atSpace: number, atEos: number): number => {
    if (value === Number.NEGATIVE_INFINITY) return value;
    const symbol = symbols[c];
    if (symbol < 0) return Number.NEGATIVE_INFINITY;
    let v = Math.fround(value + weight * logProbs[symbol]);
    if (symbol === space) v = Math.fround(v + (atSpace - wordPenalty));
    else if (symbol === lm.eos) v = Math.fround(v + atEos);
    if (word === undefined) return v;
    const ends = symbol === space || symbol === lm.eos;
    if (ends ? word.depth > 0 && !words.ends(word) : !words.continues(word, symbol)) v = Math.fround(v - oovPenalty);
    return v;
  };
  return {
    ...scorer,
    bound(state, attention, slot, out) {
      const s = state as FusedState;
      innerBound(s.inner, attention, slot, out);
      if (slotLogProbs[slot] === undefined) {
        slotLogProbs[slot] = new Float64Array(lm.outputs);
        slotEnding[slot] = new Float64Array(2);
      }
      states[slot] = s;
      endingKnown[slot] = wordModel === undefined; // without a word LM its terms are 0
      // score()'s terms, with the word LM's at their bound.
      return fuseRow(out, lm.logProbs(s.context, slotLogProbs[slot]), s.word, endingBound, endingBound);
    },
    exact(slot, token) {
      const s = states[slot];
      const symbol = symbols[token];
      if ((symbol === space || symbol === lm.eos) && !endingKnown[slot]) {
        wordEnding(s, slotEnding[slot], 0);
        endingKnown[slot] = true;
      }
      const ending = slotEnding[slot];
      return fuse(innerExact(slot, token), token, slotLogProbs[slot], s.word, ending[0], ending[1]);
    },
  };
}

/**
 * What bound() assumes the word LM's terms at a word's end, wordLm.weight * ln p, to be at
 * most: 0, as ln p of a probability is, with room for a probability whose float32 parts add up
 * to a few roundings above 1.
 */
export const WORD_TERM_BOUND = 1e-9;
