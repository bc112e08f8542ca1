/**
 * Public API of the toolkit. Stages, in the order data flows:
 * audio -> features -> model (+ attention, decoding) -> metrics, with RxJS operators in rx.
 */
export * from './errors.ts';
export * from './audio/index.ts';
export * from './features/index.ts';
export * from './metrics/index.ts';
export * from './rx/index.ts';
export { MODE_NAMES, getMode, type ModeName } from './attention/index.ts';
export { loadModel, transcribe, type LoadedModel, type ModelCard, type SessionOptions, type DecodingOptions, type TranscribeOptions, type TranscriptionResult, type Timing } from './offline/transcribe.ts';
export { recordMicrophone, validateMicrophoneOptions, type MicrophoneOptions } from './audio/microphone.ts';
export { BUNDLED_MODEL_DIR, MODEL_ENV_VAR, defaultModelDir } from './model/defaultModel.ts';
export { PACKAGE_ROOT } from './packageRoot.ts';
export { createPushRecognizer, type PushRecognizer, type PushStream, type PushResult, type PushStreamOptions } from './streaming/pushRecognizer.ts';
export type { StreamEvent, PartialEvent, FinalEvent, ErrorEvent, FinalReason, StreamToken, WindowPosition } from './streaming/events.ts';
export type { StreamingOptionsInput } from './streaming/options.ts';
export { buildCues, monotoneSpans, toSrt, toVtt, formatTimestamp, DEFAULT_CUES, type Cue, type CueOptions, type TimedSpan } from './report/subtitles.ts';
export { checkSubtitles, type SubtitleCheck, type SubtitleFormat, type SubtitleProblem } from './report/subtitleCheck.ts';
export { formatTranscript, transcriptRecord, type OutputFormat, type TranscriptRecord } from './report/transcriptFormats.ts';
