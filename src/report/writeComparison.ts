import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LasError } from '../errors.ts';
import type { Comparison } from './comparison.ts';
import { comparisonJson, comparisonMarkdown, type PictureFiles } from './comparisonMarkdown.ts';
import { attentionHeatmapSvg } from './heatmap.ts';
import { werVsDurationSvg } from './werPlot.ts';

export const REPORT_FILES = Object.freeze({
  markdown: 'report.md',
  json: 'report.json',
  alignment: 'attention-alignment.svg',
  werVsDuration: 'wer-vs-duration.svg',
});

export interface WrittenComparison {
  readonly dir: string;
  /** Absolute paths of everything written. */
  readonly files: readonly string[];
  readonly comparison: Comparison;
}

/** The SVG pictures of a comparison, by the file name report.md uses for each. */
export function comparisonPictures(c: Comparison): Map<string, string> {
  const out = new Map<string, string>();
  if (c.alignment !== undefined) {
    const { id, seconds, frameSeconds, matrices } = c.alignment;
    const panels = matrices.map((m) => ({ title: m.wer === undefined ? `${m.mode} attention` : `${m.mode} attention (WER ${(100 * m.wer).toFixed(1)}%)`, matrix: m.matrix }));
    out.set(REPORT_FILES.alignment, attentionHeatmapSvg(panels, { frameSeconds, caption: `${id}, ${seconds.toFixed(1)} s` }));
  }
  const series = c.modes.map((mode) => ({
    mode,
    points: c.utterances.flatMap((u) => u.runs.filter((r) => r.mode === mode && r.score !== undefined).map((r) => ({ id: u.id, seconds: u.seconds, wer: r.score?.wer ?? 0 }))),
  }));
  if (series.some((s) => s.points.length > 0)) out.set(REPORT_FILES.werVsDuration, werVsDurationSvg(series));
  return out;
}

/** Writes report.md, report.json and the SVGs into `dir` (created if missing). */
export async function writeComparison(dir: string, comparison: Comparison): Promise<WrittenComparison> {
  const root = resolve(dir);
  try {
    await mkdir(root, { recursive: true });
    const pictures = comparisonPictures(comparison);
    const names: PictureFiles = {
      ...(pictures.has(REPORT_FILES.alignment) ? { alignment: REPORT_FILES.alignment } : {}),
      ...(pictures.has(REPORT_FILES.werVsDuration) ? { werVsDuration: REPORT_FILES.werVsDuration } : {}),
    };
    const files = new Map<string, string>([
      [REPORT_FILES.markdown, comparisonMarkdown(comparison, names)],
      [REPORT_FILES.json, comparisonJson(comparison, names)],
      ...pictures,
    ]);
    for (const [name, content] of files) await writeFile(join(root, name), content);
    return { dir: root, files: [...files.keys()].map((n) => join(root, n)), comparison };
  } catch (cause) {
    throw new LasError('WRITE_FAILED', `cannot write the report (${(cause as Error).message})`, root, { cause });
  }
}
