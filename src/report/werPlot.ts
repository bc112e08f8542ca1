import { ConfigError } from '../errors.ts';
import { el, escapeXml, num, seriesColour, svgDocument, text, ticks } from './svg.ts';

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** Tooltip (e.g. the utterance id). */
  readonly label?: string;
  /** A short name written beside the point (the utterance); points of one tag are named once. */
  readonly tag?: string;
}

export interface ScatterSeries {
  readonly name: string;
  readonly points: readonly ScatterPoint[];
}

export interface ScatterOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Plot area in px. Defaults 560 x 320. */
  readonly width: number;
  readonly height: number;
  /** Lower bound of the y axis range; the top follows the data. Default 0. */
  readonly yMin: number;
  /** Smallest y range shown, so an all-zero series is not a flat line at the top. Default 1. */
  readonly yMinRange: number;
  /** A dashed horizontal line at `y`, named (WER 100 %). Default none. */
  readonly reference?: { readonly y: number; readonly label: string };
}

/** Above this many tagged points the tags would cover the plot; then only tooltips name them. */
const MAX_TAGS = 30;
/** Size of a tag at font size 9: a generous character width, and a line. */
const TAG_CHAR_PX = 5.5;
const TAG_LINE_PX = 11;

export const DEFAULT_SCATTER: ScatterOptions = Object.freeze({ title: '', xLabel: 'x', yLabel: 'y', width: 560, height: 320, yMin: 0, yMinRange: 1 });

export interface UtterancePoint {
  readonly id: string;
  readonly seconds: number;
  readonly wer: number; // fraction
}

/** WER (%) against utterance duration, one series per attention mode. */
export function werVsDurationSvg(series: readonly { readonly mode: string; readonly points: readonly UtterancePoint[] }[]): string {
  return scatterSvg(
    series.map((s) => ({
      name: s.mode,
      points: s.points.map((p) => ({ x: p.seconds, y: 100 * p.wer, label: `${p.id} (${s.mode}): ${num(p.seconds)} s, WER ${num(100 * p.wer, 1)}%`, tag: p.id.replace(/\.wav$/i, '') })),
    })),
    // 100 %: as many errors as reference words, what an empty or unrelated output scores.
    { title: 'WER against utterance duration', xLabel: 'utterance duration (s)', yLabel: 'WER (%)', yMinRange: 10, reference: { y: 100, label: 'WER 100 %' } },
  );
}

const MARGIN = { left: 60, right: 130, top: 36, bottom: 48 };
const MARKERS = ['circle', 'square', 'diamond', 'triangle'] as const;

/**
 * A scatter plot, one colour and marker shape per series, with a legend. Points of several
 * series at the same x (the same utterance in each mode) are nudged apart a little so none hides
 * another.
 */
export function scatterSvg(series: readonly ScatterSeries[], options: Partial<ScatterOptions> = {}): string {
  const o = { ...DEFAULT_SCATTER, ...options };
  if (!(Number.isInteger(o.width) && o.width > 0 && Number.isInteger(o.height) && o.height > 0)) throw new ConfigError('plot size must be positive integers', 'scatter');
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xMax = Math.max(1e-9, ...all.map((p) => p.x)) * 1.05;
  const yMax = Math.max(o.yMin + o.yMinRange, ...all.map((p) => p.y), o.reference?.y ?? -Infinity) * 1.05;
  const X = (x: number) => MARGIN.left + (x / xMax) * o.width;
  const Y = (y: number) => MARGIN.top + o.height - ((y - o.yMin) / (yMax - o.yMin)) * o.height;

  const body: string[] = [];
  if (o.title !== '') body.push(text({ x: MARGIN.left + o.width / 2, y: 20, 'text-anchor': 'middle', 'font-size': 14 }, o.title));
  body.push(el('rect', { x: MARGIN.left, y: MARGIN.top, width: o.width, height: o.height, fill: 'white', stroke: '#888' }));
  for (const t of ticks(0, xMax, 8)) {
    body.push(el('line', { x1: X(t), y1: MARGIN.top, x2: X(t), y2: MARGIN.top + o.height, stroke: '#eee' }));
    body.push(text({ x: X(t), y: MARGIN.top + o.height + 16, 'text-anchor': 'middle' }, String(t)));
  }
  for (const t of ticks(o.yMin, yMax, 5)) {
    body.push(el('line', { x1: MARGIN.left, y1: Y(t), x2: MARGIN.left + o.width, y2: Y(t), stroke: '#eee' }));
    body.push(text({ x: MARGIN.left - 6, y: Y(t) + 4, 'text-anchor': 'end' }, String(t)));
  }
  body.push(text({ x: MARGIN.left + o.width / 2, y: MARGIN.top + o.height + 36, 'text-anchor': 'middle' }, o.xLabel));
  const yl = { x: 18, y: MARGIN.top + o.height / 2 };
  body.push(text({ x: yl.x, y: yl.y, 'text-anchor': 'middle', transform: `rotate(-90 ${yl.x} ${num(yl.y)})` }, o.yLabel));

  if (o.reference !== undefined) {
    const y = Y(o.reference.y);
    body.push(el('line', { class: 'reference', x1: MARGIN.left, y1: num(y, 1), x2: MARGIN.left + o.width, y2: num(y, 1), stroke: '#b91c1c', 'stroke-dasharray': '5 4' }));
    body.push(text({ x: MARGIN.left + o.width - 4, y: num(y - 4, 1), 'text-anchor': 'end', fill: '#b91c1c', 'font-size': 11 }, o.reference.label));
  }

  // Series side by side at the same x (the same utterance in each mode), hollow, so none hides another.
  const nudge = (i: number) => (i - (series.length - 1) / 2) * 10; // px: a marker is 9 px wide
  series.forEach((s, i) => {
    const colour = seriesColour(i);
    const marks = s.points
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .map((p) => marker(MARKERS[i % MARKERS.length], X(p.x) + nudge(i), Y(p.y), colour, p.label ?? `${s.name}: ${num(p.x)}, ${num(p.y)}`));
    body.push(el('g', { class: 'series', 'data-name': s.name }, marks));
    const ly = MARGIN.top + 10 + i * 20;
    const lx = MARGIN.left + o.width + 18;
    body.push(marker(MARKERS[i % MARKERS.length], lx, ly, colour, s.name));
    body.push(text({ x: lx + 12, y: ly + 4 }, s.name));
  });
  body.push(tags(series, X, Y, nudge(series.length - 1)));
  return svgDocument(MARGIN.left + o.width + MARGIN.right, MARGIN.top + o.height + MARGIN.bottom, body);
}

/** Each tag once, right of its points, at the height of its highest one. */
function tags(series: readonly ScatterSeries[], X: (x: number) => number, Y: (y: number) => number, rightmost: number): string {
  const byTag = new Map<string, { x: number; y: number }>();
  for (const p of series.flatMap((s) => s.points)) {
    if (p.tag === undefined || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    const seen = byTag.get(p.tag);
    if (seen === undefined || p.y > seen.y) byTag.set(p.tag, { x: p.x, y: p.y });
  }
  if (byTag.size > MAX_TAGS) return '';
  // Tags that would overprint one another (utterances of equal length and WER) are stacked
  // downwards, one line apart.
  const placed: { x: number; y: number; width: number }[] = [];
  const labels = [...byTag]
    .sort(([, a], [, b]) => Y(a.y) - Y(b.y) || a.x - b.x)
    .map(([tag, p]) => {
      const x = X(p.x) + rightmost + 8;
      const width = tag.length * TAG_CHAR_PX;
      let y = Y(p.y) + 3;
      while (placed.some((q) => Math.abs(q.y - y) < TAG_LINE_PX && x < q.x + q.width && q.x < x + width)) y += TAG_LINE_PX;
      placed.push({ x, y, width });
      return text({ x: num(x, 1), y: num(y, 1), 'font-size': 9, fill: '#475569' }, tag);
    });
  return el('g', { class: 'tags' }, labels);
}

function marker(shape: (typeof MARKERS)[number], x: number, y: number, colour: string, title: string): string {
  const r = 4.5;
  const style = { fill: colour, 'fill-opacity': 0.25, stroke: colour, 'stroke-width': 1.5 };
  const tip = el('title', {}, escapeXml(title));
  switch (shape) {
    case 'circle':
      return el('circle', { cx: x, cy: y, r, ...style }, tip);
    case 'square':
      return el('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...style }, tip);
    case 'diamond':
      return el('polygon', { points: `${num(x)},${num(y - r - 1)} ${num(x + r + 1)},${num(y)} ${num(x)},${num(y + r + 1)} ${num(x - r - 1)},${num(y)}`, ...style }, tip);
    case 'triangle':
      return el('polygon', { points: `${num(x)},${num(y - r - 1)} ${num(x + r + 1)},${num(y + r)} ${num(x - r - 1)},${num(y + r)}`, ...style }, tip);
    default: {
      const unreachable: never = shape;
      throw new ConfigError(`unknown marker ${String(unreachable)}`, 'scatter');
    }
  }
}
