import type { Comparison, ModeSummary } from './comparison.ts';

/** The SVG files report.md links to (paths relative to report.md). */
export interface PictureFiles {
  readonly alignment?: string;
  readonly werVsDuration?: string;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(2)}%`);
const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
/** Table cells may not contain a pipe or a line break. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  const rule = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function summaryRow(s: ModeSummary): string[] {
  return [
    s.mode,
    String(s.utterances),
    pct(s.wer),
    pct(s.cer),
    s.scored > 0 ? `${s.S} / ${s.D} / ${s.I}` : 'n/a',
    s.scored > 0 ? String(s.N) : 'n/a',
    fixed(s.rtf, 4),
    fixed(s.framesAttendedPerToken, 1),
  ];
}

/** The per-mode table (markdown, readable as plain text too). */
export function summaryTable(c: Comparison): string {
  return table(['mode', 'utterances', 'WER', 'CER', 'S / D / I', 'N', 'RTF', 'frames/token'], c.summaries.map(summaryRow), ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

/** report.md: the per-mode table, the pictures, then every utterance. */
export function comparisonMarkdown(c: Comparison, pictures: PictureFiles): string {
  const out: string[] = [];
  out.push('# Attention modes compared', '');
  out.push(`Model: \`${c.model || 'unknown'}\`. Modes: ${c.modes.map((m) => `\`${m}\``).join(', ')}. Utterances: ${c.utterances.length} transcribed, ${c.failed.length} failed.`, '');
  out.push('Every mode decodes the same audio with the same model and beam. WER and CER pool the edit counts over the utterances that have a reference (S / D / I = word substitutions, deletions, insertions; N = reference words). RTF is processing time over audio time (features, encoder and decoder; below 1 is faster than real time). Frames/token is the mean number of encoder frames (40 ms each) the decoder could attend to per output token.', '');
  out.push('## Per mode', '');
  out.push(summaryTable(c), '');

  out.push('## Pictures', '');
  if (pictures.alignment !== undefined && c.alignment !== undefined) {
    out.push(`Attention alignment of the longest utterance, \`${cell(c.alignment.id)}\` (${c.alignment.seconds.toFixed(1)} s), in each mode: one row per output token, ink where the decoder attended. Global attention may spread over or jump across the whole utterance; local attention stays inside its window around a pointer that only moves forward.`, '');
    out.push(`![attention alignment per mode](${pictures.alignment})`, '');
  } else out.push('No attention alignment: no utterance was transcribed.', '');
  if (pictures.werVsDuration !== undefined) out.push('WER against utterance duration, one marker per utterance and mode:', '', `![WER against duration](${pictures.werVsDuration})`, '');
  else out.push('No WER plot: no utterance has a reference transcript.', '');

  out.push('## Per utterance', '');
  const rows = c.utterances.flatMap((u) =>
    u.runs.map((r) => [
      cell(u.id),
      u.seconds.toFixed(2),
      r.mode,
      r.score === undefined ? 'n/a' : pct(r.score.wer),
      r.score === undefined ? 'n/a' : pct(r.score.cer),
      r.score === undefined ? 'n/a' : `${r.score.S} / ${r.score.D} / ${r.score.I}`,
      fixed(r.rtf, 4),
      fixed(r.framesAttendedPerToken, 1),
      cell(r.text),
    ]),
  );
  out.push(table(['utterance', 'seconds', 'mode', 'WER', 'CER', 'S / D / I', 'RTF', 'frames/token', 'hypothesis'], rows, ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'l']), '');
  const refs = c.utterances.filter((u) => u.reference !== undefined);
  if (refs.length > 0) {
    out.push('References:', '');
    for (const u of refs) out.push(`- \`${cell(u.id)}\`: ${cell(u.reference ?? '')}`);
    out.push('');
  }
  if (c.failed.length > 0) {
    out.push('## Failed inputs', '');
    for (const f of c.failed) out.push(`- \`${cell(f.id)}\` (${f.code}): ${cell(f.message)}`);
    out.push('');
  }
  return out.join('\n');
}

/** report.json: the numbers of report.md, without the attention matrices. */
export function comparisonJson(c: Comparison, pictures: PictureFiles): string {
  const round = (x: number, d = 6) => Number(x.toFixed(d));
  return (
    JSON.stringify(
      {
        model: c.model,
        modes: c.modes,
        summaries: c.summaries.map((s) => ({ ...s, wer: s.wer === null ? null : round(s.wer), cer: s.cer === null ? null : round(s.cer), rtf: round(s.rtf), framesAttendedPerToken: round(s.framesAttendedPerToken, 3), audioSeconds: round(s.audioSeconds, 3), processingSeconds: round(s.processingSeconds, 3) })),
        utterances: c.utterances.map((u) => ({
          id: u.id,
          seconds: round(u.seconds, 3),
          ...(u.reference === undefined ? {} : { reference: u.reference }),
          runs: u.runs.map((r) => ({
            mode: r.mode,
            text: r.text,
            ...(r.score === undefined ? {} : { wer: round(r.score.wer), cer: round(r.score.cer), S: r.score.S, D: r.score.D, I: r.score.I, N: r.score.N }),
            rtf: round(r.rtf),
            framesAttendedPerToken: round(r.framesAttendedPerToken, 3),
            tokens: r.tokens,
          })),
        })),
        failed: c.failed,
        pictures: { ...pictures, ...(c.alignment === undefined ? {} : { alignmentUtterance: c.alignment.id }) },
      },
      null,
      2,
    ) + '\n'
  );
}
