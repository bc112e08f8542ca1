/** Output formats, reference tables, and the comparison report with its SVG pictures. */
export { OUTPUT_FORMATS, FORMAT_EXTENSION, isOutputFormat, transcriptRecord, failureRecord, formatTranscript, type OutputFormat, type TranscriptRecord, type FailureRecord } from './transcriptFormats.ts';
export { DEFAULT_CUES, buildCues, formatTimestamp, monotoneSpans, toSrt, toVtt, validateCueOptions, type Cue, type CueOptions, type TimedSpan } from './subtitles.ts';
export { checkSubtitles, type SubtitleCheck, type SubtitleFormat, type SubtitleProblem } from './subtitleCheck.ts';
export { FOLDER_REFS, loadReferences, matchReferences, parseManifest, parseTranscriptTable, readComparisonInput, referencesOf, type ManifestEntry, type TranscriptRow } from './manifest.ts';
export { ManifestError } from '../errors.ts';
export { createProgress, renderProgress, type Progress, type ProgressSink } from './progress.ts';
export { createOutputNamer, createTranscriptWriter, type TextSink, type TranscriptWriterOptions, type WriterSummary } from './transcriptWriter.ts';
export { addUtterance, emptyComparison, finishComparison, type AlignmentPicture, type ComparedUtterance, type Comparison, type ComparisonState, type ModeRun, type ModeSummary } from './comparison.ts';
export { comparisonJson, comparisonMarkdown, summaryTable, type PictureFiles } from './comparisonMarkdown.ts';
export { REPORT_FILES, comparisonPictures, writeComparison, type WrittenComparison } from './writeComparison.ts';
export { DEFAULT_HEATMAP, attentionHeatmapSvg, maxPool, validateHeatmapOptions, type HeatmapOptions, type HeatmapPanel, type Matrix } from './heatmap.ts';
export { DEFAULT_SCATTER, scatterSvg, werVsDurationSvg, type ScatterOptions, type ScatterPoint, type ScatterSeries, type UtterancePoint } from './werPlot.ts';
