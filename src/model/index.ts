export { loadBundle, type LoadedModel, type ModelCard } from './loadBundle.ts';
export { parseBundleConfig, DECODER_IO, ENCODER_IO, type BundleConfig, type EncoderSpec, type GraphSpec, type StateSpec, type TensorSpec } from './bundleConfig.ts';
export { Encoder, type EncoderDims, type EncoderOutput, type EncoderState, type EncoderChunkOptions, type StateTensor } from './encoder.ts';
export { DecoderStep, type DecoderDims, type StepBuffers, type StepResult } from './decoderStep.ts';
export { DEFAULT_SESSION_OPTIONS, GRAPH_OPTIMIZATION_LEVELS, PRECISIONS, validateSessionOptions, type GraphOptimizationLevel, type Precision, type SessionOptions } from './sessionOptions.ts';
export { BLANK_ID, CONTRACT_VOCAB, EOS_ID, SOS_ID, VOCAB_SIZE, createVocabulary, type Vocabulary } from './vocab.ts';
export { loadCharLm, parseCharLm, parseLmDescription, type CharLm, type LmContext, type LmDescription } from './charLm.ts';
export { createWordIndex, type WordIndex, type WordRange } from './wordIndex.ts';
export { assertModesSupported, bundleFacts, CONTRACT_SUBSAMPLING, type BundleFacts } from './bundleFacts.ts';
