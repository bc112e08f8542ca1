import { ConfigError } from '../errors.ts';
import { poolScores, type UtteranceScore } from './report.ts';

export interface ReportOptions {
  /**
   * 'table' (default): aligned columns for people, rates in percent, pooled summary below.
   * 'tsv': a header and one tab-separated line per utterance, rates as fractions, then the
   * pooled summary as a final line starting with '#' (read it with `comment='#'` or skip it).
   */
  readonly format: 'table' | 'tsv';
}

export const DEFAULT_REPORT: ReportOptions = Object.freeze({ format: 'table' });

export function validateReportOptions(opts: Partial<ReportOptions> = {}): ReportOptions {
  const o = { ...DEFAULT_REPORT, ...opts };
  if (o.format !== 'table' && o.format !== 'tsv') throw new ConfigError(`format must be 'table' or 'tsv', got ${JSON.stringify(o.format)}`, 'report');
  return o;
}

const COLUMNS = ['id', 'N', 'S', 'D', 'I', 'C', 'wer', 'cer', 'ref', 'hyp'] as const;
const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
// Tabs and line breaks inside a field would shift columns or rows, so they become spaces.
const field = (s: string) => s.replace(/[\t\r\n]/g, ' ');

/** Per-utterance lines plus the pooled summary (corpus WER/CER pool counts, see poolScores). */
export function formatReport(rows: readonly UtteranceScore[], opts: Partial<ReportOptions> = {}): string {
  const { format } = validateReportOptions(opts);
  const pooled = poolScores(rows);
  const summary =
    `pooled over ${pooled.utterances} utterances: WER ${percent(pooled.wer)} ` +
    `(S=${pooled.S} D=${pooled.D} I=${pooled.I} C=${pooled.C} N=${pooled.N}), ` +
    `CER ${percent(pooled.cer)} (S=${pooled.chars.S} D=${pooled.chars.D} I=${pooled.chars.I} N=${pooled.chars.N}), ` +
    `utterances with errors ${pooled.sentenceErrors}/${pooled.utterances}`;

  if (format === 'tsv') {
    const lines = rows.map((r) =>
      [field(r.id), r.N, r.S, r.D, r.I, r.C, r.wer.toFixed(6), r.cer.toFixed(6), field(r.ref), field(r.hyp)].join('\t'),
    );
    return [COLUMNS.join('\t'), ...lines, `# ${summary}`].join('\n') + '\n';
  }

  const cells = rows.map((r) => [field(r.id), ...[r.N, r.S, r.D, r.I, r.C].map(String), percent(r.wer), percent(r.cer), field(r.ref), field(r.hyp)]);
  const header = COLUMNS.map((c) => c.toUpperCase());
  // Pad every column but the last two (the texts), so the numbers line up.
  const widths = header.slice(0, 8).map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
  const line = (c: string[]) =>
    [...c.slice(0, 8).map((s, k) => (k === 0 ? s.padEnd(widths[k]) : s.padStart(widths[k]))), ...c.slice(8)].join('  ').trimEnd();
  return [line(header), ...cells.map(line), '', summary].join('\n') + '\n';
}
