import { getMode, type AttentionParams, type ModeName } from '../attention/index.ts';
import type { DecoderStep } from '../model/decoderStep.ts';
import type { EncoderOutput } from '../model/encoder.ts';
import { BLANK_ID, EOS_ID, SOS_ID, type Vocabulary } from '../model/vocab.ts';
import { align, type Alignment } from './alignment.ts';
import { createModelSession } from './modelSession.ts';
import { maxOutputLength, validateDecodingOptions, type DecodingOptions } from './options.ts';
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
}

export interface DecodeResult extends Alignment {
  readonly mode: ModeName;
  readonly logProb: number;
  readonly score: number;
  readonly decoderSteps: number; // batched decoder calls
  readonly encoderFrames: number;
}

/** The search wired up once from the options: the only place strategies are chosen. */
export function assembleStrategies(options: DecodingOptions, ctx: DecodeContext, encoderFrames: number): SearchStrategies {
  const params: AttentionParams = { left: options.left ?? ctx.attention.left, right: options.right ?? ctx.attention.right };
  return {
    selector: options.beam === 1 ? greedySelector : topKSelector(options.beam),
    ranker: lengthNormalisedRanker(options.lengthPenalty),
    end: eosOrMaxLength(EOS_ID, maxOutputLength(encoderFrames, options)),
    mode: getMode(options.mode, params),
    beam: options.beam,
    sosId: SOS_ID,
    bannedTokens: [BLANK_ID, SOS_ID],
    keepWeights: options.returnAttention,
  };
}

/** Decodes one utterance through any DecoderSession (the model's, or a scripted one in tests). */
export async function decodeSession(session: DecoderSession, ctx: DecodeContext, options: Partial<DecodingOptions> = {}): Promise<DecodeResult> {
  const o = validateDecodingOptions(options);
  const strategies = assembleStrategies(o, ctx, session.encoderFrames);
  const found = await beamSearch(session, strategies);
  const alignment = align(found.steps, ctx.vocab, ctx.frameSeconds, session.encoderFrames, o.returnAttention);
  return { ...alignment, mode: o.mode, logProb: found.logProb, score: found.score, decoderSteps: found.decoderSteps, encoderFrames: session.encoderFrames };
}

/** Decodes one utterance's encoder output with the decoder_step graph. */
export async function decodeEncoded(decoder: DecoderStep, encoded: EncoderOutput, ctx: DecodeContext, options: Partial<DecodingOptions> = {}): Promise<DecodeResult> {
  const o = validateDecodingOptions(options);
  const { left, right } = { left: o.left ?? ctx.attention.left, right: o.right ?? ctx.attention.right };
  // Local windows never exceed left + right + 1 frames, so neither do the step buffers.
  const maxWidth = o.mode === 'local' ? Math.min(encoded.frames, left + right + 1) : encoded.frames;
  return decodeSession(createModelSession(decoder, encoded, o.beam, maxWidth), ctx, o);
}
