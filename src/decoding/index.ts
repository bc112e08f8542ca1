export { DEFAULT_CTC_WEIGHT, DEFAULT_DECODING_OPTIONS, MAX_BEAM, maxOutputLength, validateDecodingOptions, type DecodingOptions } from './options.ts';
export { decodeEncoded, decodeSession, assembleStrategies, type DecodeContext, type DecodeResult } from './decode.ts';
export { beamSearch, createSearch, type Search, type SearchResult, type SearchStrategies, type StepRecord } from './search.ts';
export { createModelSession, type EncodedFrames } from './modelSession.ts';
export { align, type Alignment, type AttentionMatrix, type TimedToken, type TimedWord } from './alignment.ts';
export { eosOrMaxLength, greedySelector, lengthNormalisedRanker, logSoftmaxRow, topKSelector, type BeamRanker, type Candidate, type EndDetector, type TokenSelector } from './strategies.ts';
export type { DecoderSession, StepOutput, StepRow } from './session.ts';
export { createCtcPrefixScorer, ctcLogSoftmax, logAdd, type CtcPrefixScorer, type CtcPrefixState } from './ctcPrefix.ts';
export { attentionScorer, ctcScorerFor, jointCtcScorer, type HypothesisScorer } from './scorers.ts';
