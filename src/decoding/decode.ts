import { getMode, type AttentionParams, type ModeName } from '../attention/index.ts';
import type { DecoderStep } from '../model/decoderStep.ts';
import type { EncoderOutput } from '../model/encoder.ts';
import type { LoadedModel } from '../model/loadBundle.ts';
import { ConfigError } from '../errors.ts';
import { BLANK_ID, EOS_ID, SOS_ID, type Vocabulary } from '../model/vocab.ts';
import { align, type Alignment } from './alignment.ts';
import { ctcTimedTokens, ctcTimedWords, type CtcPosteriors } from './ctcTiming.ts';
import { createModelSession } from './modelSession.ts';
import { maxOutputLength, validateDecodingOptions, type DecodingOptions } from './options.ts';
import { ctcLogSoftmax } from './ctcPrefix.ts';
import { fusionLmOf, lmFusionScorer, lmSymbols, type FusionLm } from './lmFusion.ts';
import { attentionScorer, ctcScorerFor, type HypothesisScorer } from './scorers.ts';
import { beamSearch, type SearchStrategies } from './search.ts';
import type { DecoderSession } from './session.ts';
import { eosOrMaxLength, greedySelector, lengthNormalisedRanker, topKSelector } from './strategies.ts';

/** What the decoder needs to know about the bundle. */
export interface DecodeContext {
  readonly vocab: Vocabulary;
  /** Seconds per encoder frame (subsampling * hop / sample rate). */
  readonly frameSeconds: number;
  /** The bundle's local window, used when the options name none. */
  readonly attention: AttentionParams;
  /** The bundle's language model for shallow fusion (fusionLmOf(model)); absent: the bundle has none. */
  readonly lm?: FusionLm;
}

/** The bundle's DecodeContext: its vocabulary, frame length and LMs, with `attention` as the local window (default: the bundle's). */
export function decodeContextOf(model: Pick<LoadedModel, 'config' | 'facts' | 'lm' | 'wordLm' | 'card'>, attention: AttentionParams = model.config.attention): DecodeContext {
  const lm = fusionLmOf(model);
  return { vocab: model.config.vocab, frameSeconds: model.facts.frameSeconds, attention, ...(lm !== undefined ? { lm } : {}) };
}

export interface DecodeResult extends Alignment {
  readonly mode: ModeName;
  readonly logProb: number;
  readonly score: number;
  readonly decoderSteps: number; // batched decoder calls
  readonly encoderFrames: number;
}

const BANNED = [BLANK_ID, SOS_ID];

/** The LM weight in effect: the options', else the bundle's default, else 0 (no LM). */
export function effectiveLmWeight(options: Pick<DecodingOptions, 'lmWeight'>, ctx: Pick<DecodeContext, 'lm'>): number {
  const weight = options.lmWeight ?? ctx.lm?.weight ?? 0;
  if (weight > 0 && ctx.lm === undefined) throw new ConfigError(`lmWeight ${weight} needs a language model, and this bundle has none (config.json has no "lm" field; use lmWeight 0)`, 'lmWeight');
  return weight;
}

/**
 * The word LM weight in effect: the options', else the bundle's default (config.json lm.word.weight),
 * else 0; always 0 while the character LM is off, since the word LM is fused beside it. A weight
 * the options ask for that cannot apply (no word LM in the bundle, or lmWeight 0) is a
 * ConfigError rather than silently nothing.
 */
export function effectiveWordLmWeight(options: Pick<DecodingOptions, 'lmWeight' | 'wordLmWeight'>, ctx: Pick<DecodeContext, 'lm'>): number {
  const asked = options.wordLmWeight;
  const wanted = asked !== undefined && asked > 0;
  if (ctx.lm?.word === undefined) {
    if (wanted) throw new ConfigError(`wordLmWeight ${asked} needs a word language model, and this bundle has none (config.json has no "lm.word" field; use wordLmWeight 0)`, 'wordLmWeight');
    return 0;
  }
  if (effectiveLmWeight(options, ctx) === 0) {
    if (wanted) throw new ConfigError(`wordLmWeight ${asked} is fused beside the character language model, which lmWeight 0 switches off (give lmWeight > 0, or wordLmWeight 0)`, 'wordLmWeight');
    return 0;
  }
  return asked ?? ctx.lm.word.weight;
}

/** chooseAcousticScorer, fused with the bundle's LM when the LM weight is above 0 (at 0 the search is exactly the LM-free one). */
function chooseScorer(options: DecodingOptions, ctx: DecodeContext, encoderFrames: number, ctc: CtcPosteriors | undefined): HypothesisScorer {
  const acoustic = chooseAcousticScorer(options, encoderFrames, ctc);
  const weight = effectiveLmWeight(options, ctx);
  const wordWeight = effectiveWordLmWeight(options, ctx);
  if (weight === 0 || ctx.lm === undefined) return acoustic;
  const oovPenalty = options.oovPenalty ?? ctx.lm.oovPenalty;
  const wordPenalty = options.wordPenalty ?? ctx.lm.wordPenalty;
  const word = ctx.lm.word === undefined ? undefined : { model: ctx.lm.word.model, weight: wordWeight };
  return lmFusionScorer(acoustic, ctx.lm.model, weight, lmSymbols(ctx.vocab, ctx.lm.model, EOS_ID), oovPenalty, wordPenalty, word);
}

/** Attention alone at ctc weight 0; joint CTC/attention otherwise, which needs the CTC logits. */
function chooseAcousticScorer(options: DecodingOptions, encoderFrames: number, ctc: CtcPosteriors | undefined): HypothesisScorer {
  if (options.ctcWeight === 0) return attentionScorer;
  if (ctc === undefined)
    throw new ConfigError(`ctcWeight ${options.ctcWeight} needs the encoder's CTC logits, which this decoder session does not have (use ctcWeight 0)`, 'ctcWeight');
  return ctcScorerFor(ctc.logProbs, encoderFrames, ctc.vocabSize, options.ctcWeight, { blank: BLANK_ID, eos: EOS_ID, skip: BANNED });
}

/** The session's CTC log posteriors [T, V], computed once for the joint search and the timestamps; undefined without CTC logits. */
function ctcPosteriorsOf(session: Pick<DecoderSession, 'ctcLogits' | 'encoderFrames'>, vocabSize: number): CtcPosteriors | undefined {
  const logits = session.ctcLogits;
  if (logits === undefined || logits.length < session.encoderFrames * vocabSize) return undefined;
  return { logProbs: ctcLogSoftmax(logits, session.encoderFrames, vocabSize), frames: session.encoderFrames, vocabSize, blankId: BLANK_ID };
}

/** The search wired up once from the options: the only place strategies are chosen. */
export function assembleStrategies(options: DecodingOptions, ctx: DecodeContext, encoderFrames: number, ctcLogits?: Float32Array): SearchStrategies {
  return assembleWith(options, ctx, encoderFrames, ctcPosteriorsOf({ ctcLogits, encoderFrames }, ctx.vocab.size));
}

function assembleWith(options: DecodingOptions, ctx: DecodeContext, encoderFrames: number, ctc: CtcPosteriors | undefined): SearchStrategies {
  const params: AttentionParams = { left: options.left ?? ctx.attention.left, right: options.right ?? ctx.attention.right };
  return {
    selector: options.beam === 1 ? greedySelector : topKSelector(options.beam),
    scorer: chooseScorer(options, ctx, encoderFrames, ctc),
    ranker: lengthNormalisedRanker(options.lengthPenalty),
    end: eosOrMaxLength(EOS_ID, maxOutputLength(encoderFrames, options)),
    mode: getMode(options.mode, params),
    beam: options.beam,
    sosId: SOS_ID,
    bannedTokens: BANNED,
    keepWeights: options.returnAttention,
    endMargin: options.endMargin,
  };
}

/** Decodes one utterance through any DecoderSession (the model's, or a scripted one in tests). */
export async function decodeSession(session: DecoderSession, ctx: DecodeContext, options: Partial<DecodingOptions> = {}): Promise<DecodeResult> {
  const o = validateDecodingOptions(options);
  const ctc = o.ctcWeight > 0 || o.timestamps === 'ctc' ? ctcPosteriorsOf(session, ctx.vocab.size) : undefined;
  const strategies = assembleWith(o, ctx, session.encoderFrames, ctc);
  const found = await beamSearch(session, strategies);
  const alignment = timed(align(found.steps, ctx.vocab, ctx.frameSeconds, session.encoderFrames, { withAttention: o.returnAttention }), o, ctc, ctx.frameSeconds);
  return { ...alignment, mode: o.mode, logProb: found.logProb, score: found.score, decoderSteps: found.decoderSteps, encoderFrames: session.encoderFrames };
}

/** The alignment with CTC times when they are asked for and a CTC path spells the text; else its attention times. */
function timed(alignment: Alignment, o: DecodingOptions, ctc: CtcPosteriors | undefined, frameSeconds: number): Alignment {
  if (o.timestamps !== 'ctc' || ctc === undefined) return alignment;
  const tokens = ctcTimedTokens(alignment.tokens, ctc, frameSeconds);
  return tokens === undefined ? alignment : { ...alignment, tokens, words: ctcTimedWords(tokens) };
}

/** Decodes one utterance's encoder output with the decoder_step graph. */
export async function decodeEncoded(decoder: DecoderStep, encoded: EncoderOutput, ctx: DecodeContext, options: Partial<DecodingOptions> = {}): Promise<DecodeResult> {
  const o = validateDecodingOptions(options);
  const { left, right } = { left: o.left ?? ctx.attention.left, right: o.right ?? ctx.attention.right };
  // Local windows never exceed left + right + 1 frames, so neither do the step buffers.
  const maxWidth = o.mode === 'local' ? Math.min(encoded.frames, left + right + 1) : encoded.frames;
  return decodeSession(createModelSession(decoder, encoded, o.beam, maxWidth), ctx, o);
}
