export { DEFAULT_NORMALIZE, normalizeText, validateNormalizeOptions, type NormalizeOptions } from './normalizeText.ts';
export { MAX_CARDINAL_DIGITS, cardinalWords, digitRunWords } from './numberWords.ts';
export { align, errorRate, type AlignedPair, type Alignment, type EditCounts, type EditOp } from './align.ts';
export { characters, charErrors, wordErrors, words, type ErrorResult } from './errorRates.ts';
export { poolScores, scoreUtterance, type PooledScore, type UtteranceScore } from './report.ts';
export { DEFAULT_REPORT, formatReport, validateReportOptions, type ReportOptions } from './formatReport.ts';
