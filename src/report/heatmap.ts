import { ConfigError } from '../errors.ts';
import { el, num, svgDocument, text, ticks } from './svg.ts';

/** Row-major [rows = output tokens, cols = encoder frames], like decoding's AttentionMatrix. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

export interface HeatmapPanel {
  readonly title: string;
  readonly matrix: Matrix;
}

export interface HeatmapOptions {
  /** Seconds per encoder frame (the x axis is labelled in seconds). Default 0.04. */
  readonly frameSeconds: number;
  /** Plot area of one panel in px. Defaults 440 x 320. */
  readonly panelWidth: number;
  readonly panelHeight: number;
  /** The matrix is max-pooled down to at most this many cells per axis. Defaults 220 x 160. */
  readonly maxCols: number;
  readonly maxRows: number;
  /** Shown above the panels. Default none. */
  readonly caption?: string;
}

export const DEFAULT_HEATMAP: HeatmapOptions = Object.freeze({ frameSeconds: 0.04, panelWidth: 440, panelHeight: 320, maxCols: 220, maxRows: 160 });

export function validateHeatmapOptions(options: Partial<HeatmapOptions> = {}): HeatmapOptions {
  const o = { ...DEFAULT_HEATMAP, ...options };
  if (!(Number.isFinite(o.frameSeconds) && o.frameSeconds > 0)) throw new ConfigError(`frameSeconds must be > 0, got ${o.frameSeconds}`, 'heatmap');
  for (const key of ['panelWidth', 'panelHeight', 'maxCols', 'maxRows'] as const)
    if (!(Number.isInteger(o[key]) && o[key] >= 1)) throw new ConfigError(`${key} must be a positive integer, got ${o[key]}`, 'heatmap');
  return o;
}

/** Intensities are quantised to this many shades so neighbouring cells merge into one <rect>. */
const SHADES = 16;
/** Cells below one shade are left white: most of a global-attention row is near zero. */
const GAMMA = 0.5; // square root: weak off-peak attention stays visible next to a sharp peak
const INK = '#16306b';
const MARGIN = { left: 52, right: 16, top: 40, bottom: 44 };
/** The intensity scale at the right: bar width and the room for its labels. */
const SCALE = { gap: 14, bar: 12, labels: 70 };

/**
 * The attention alignments of one utterance, one panel per mode, side by side on common
 * scales, so the panels compare at a glance: one intensity scale (the largest weight of any
 * panel is full ink, shown by the bar at the right) and one token scale (a panel with fewer
 * output tokens is shorter, not stretched). A row is one output token; its ink shows which
 * encoder frames (time, x) the decoder attended to when emitting it.
 */
export function attentionHeatmapSvg(panels: readonly HeatmapPanel[], options: Partial<HeatmapOptions> = {}): string {
  const o = validateHeatmapOptions(options);
  if (panels.length === 0) throw new ConfigError('no panels to draw', 'heatmap');
  for (const p of panels) checkMatrix(p.matrix, p.title);
  const captionHeight = o.caption === undefined ? 0 : 22;
  const cellW = MARGIN.left + o.panelWidth + MARGIN.right;
  const width = cellW * panels.length + SCALE.gap + SCALE.bar + SCALE.labels;
  const height = captionHeight + MARGIN.top + o.panelHeight + MARGIN.bottom;
  const pooled = panels.map((p) => (p.matrix.rows === 0 || p.matrix.cols === 0 ? undefined : maxPool(p.matrix, o.maxRows, o.maxCols)));
  let peak = 0;
  for (const m of pooled) for (const v of m?.data ?? []) if (v > peak) peak = v; // NaN never compares greater
  const tokens = Math.max(1, ...panels.map((p) => p.matrix.rows));
  const body: string[] = [];
  if (o.caption !== undefined) body.push(text({ x: width / 2, y: 16, 'text-anchor': 'middle', 'font-size': 14 }, o.caption));
  panels.forEach((panel, i) => body.push(drawPanel(panel, pooled[i], { peak, tokens }, i * cellW + MARGIN.left, captionHeight + MARGIN.top, o)));
  body.push(intensityScale(peak, cellW * panels.length + SCALE.gap, captionHeight + MARGIN.top, o.panelHeight));
  return svgDocument(width, height, body);
}

/** The bar that reads a shade as an attention weight (the shades are quantised, on a square-root scale). */
function intensityScale(peak: number, x0: number, y0: number, h: number): string {
  const parts: string[] = [];
  const step = h / SHADES;
  for (let shade = 1; shade <= SHADES; shade++)
    parts.push(el('rect', { x: x0, y: num(y0 + h - shade * step, 1), width: SCALE.bar, height: num(step, 1), fill: INK, 'fill-opacity': num(shade / SHADES, 3) }));
  parts.push(el('rect', { x: x0, y: y0, width: SCALE.bar, height: h, fill: 'none', stroke: '#888' }));
  if (peak > 0) {
    for (const fraction of [0, 0.1, 0.25, 0.5, 1]) {
      const y = y0 + h - fraction ** GAMMA * h;
      parts.push(el('line', { x1: x0 + SCALE.bar, y1: num(y, 1), x2: x0 + SCALE.bar + 4, y2: num(y, 1), stroke: '#444' }));
      parts.push(text({ x: x0 + SCALE.bar + 6, y: num(y + 4, 1) }, num(fraction * peak, 2)));
    }
  }
  parts.push(text({ x: x0, y: y0 - 12 }, 'weight'));
  return el('g', { class: 'intensity-scale', 'font-size': 11 }, parts);
}

function checkMatrix(m: Matrix, title: string): void {
  if (!(Number.isInteger(m.rows) && Number.isInteger(m.cols) && m.rows >= 0 && m.cols >= 0 && m.data.length >= m.rows * m.cols))
    throw new ConfigError(`attention matrix ${m.rows} x ${m.cols} with ${m.data.length} values is inconsistent`, title);
}

function drawPanel(panel: HeatmapPanel, pooled: ReturnType<typeof maxPool> | undefined, scale: { readonly peak: number; readonly tokens: number }, x0: number, y0: number, o: HeatmapOptions): string {
  const { matrix } = panel;
  const w = o.panelWidth;
  const { peak, tokens } = scale;
  const parts: string[] = [text({ x: x0 + w / 2, y: y0 - 12, 'text-anchor': 'middle', 'font-weight': 'bold' }, panel.title)];
  parts.push(el('rect', { x: x0, y: y0, width: w, height: o.panelHeight, fill: 'white', stroke: '#888' }));
  if (pooled === undefined) {
    parts.push(text({ x: x0 + w / 2, y: y0 + o.panelHeight / 2, 'text-anchor': 'middle', fill: '#888' }, 'no output tokens'));
    return el('g', {}, parts);
  }
  const h = (o.panelHeight * matrix.rows) / tokens; // the common token scale
  const cw = w / pooled.cols;
  const ch = h / pooled.rows;
  // One <path> per shade, each cell a closed sub-path, keeps the file small: a row's run of
  // equal shades becomes a single rectangle.
  const byShade = new Map<number, string[]>();
  for (let r = 0; r < pooled.rows; r++) {
    let c = 0;
    while (c < pooled.cols) {
      const shade = shadeOf(pooled.data[r * pooled.cols + c], peak);
      let end = c + 1;
      while (end < pooled.cols && shadeOf(pooled.data[r * pooled.cols + end], peak) === shade) end++;
      if (shade > 0) {
        const runs = byShade.get(shade) ?? [];
        runs.push(`M${num(x0 + c * cw, 1)} ${num(y0 + r * ch, 1)}h${num((end - c) * cw, 1)}v${num(ch, 1)}h${num(-(end - c) * cw, 1)}z`);
        byShade.set(shade, runs);
      }
      c = end;
    }
  }
  const cells = [...byShade].sort(([a], [b]) => a - b).map(([shade, runs]) => el('path', { 'fill-opacity': num(shade / SHADES, 3), d: runs.join('') }));
  parts.push(el('g', { fill: INK, 'shape-rendering': 'crispEdges' }, cells));
  parts.push(axes(matrix, tokens, x0, y0, o));
  return el('g', {}, parts);
}

function shadeOf(value: number, peak: number): number {
  if (!(peak > 0) || !(value > 0)) return 0;
  return Math.round(Math.min(1, value / peak) ** GAMMA * SHADES);
}

/** Block maximum, so a sharp one-frame peak survives downsampling (a mean would fade it). */
export function maxPool(m: Matrix, maxRows: number, maxCols: number): { rows: number; cols: number; data: Float64Array } {
  const rows = Math.min(m.rows, maxRows);
  const cols = Math.min(m.cols, maxCols);
  const data = new Float64Array(rows * cols); // [rows, cols]
  for (let r = 0; r < m.rows; r++) {
    const pr = Math.floor((r * rows) / m.rows);
    for (let c = 0; c < m.cols; c++) {
      const pc = Math.floor((c * cols) / m.cols);
      const v = m.data[r * m.cols + c];
      if (v > data[pr * cols + pc]) data[pr * cols + pc] = v;
    }
  }
  return { rows, cols, data };
}

function axes(m: Matrix, tokens: number, x0: number, y0: number, o: HeatmapOptions): string {
  const w = o.panelWidth;
  const h = o.panelHeight;
  const seconds = m.cols * o.frameSeconds;
  const parts: string[] = [];
  for (const t of ticks(0, seconds, 6)) {
    const x = x0 + (t / seconds) * w;
    parts.push(el('line', { x1: x, y1: y0 + h, x2: x, y2: y0 + h + 4, stroke: '#444' }));
    parts.push(text({ x, y: y0 + h + 16, 'text-anchor': 'middle' }, String(t)));
  }
  for (const k of ticks(0, tokens, 5)) {
    const y = y0 + (k / tokens) * h;
    parts.push(el('line', { x1: x0 - 4, y1: y, x2: x0, y2: y, stroke: '#444' }));
    parts.push(text({ x: x0 - 6, y: y + 4, 'text-anchor': 'end' }, String(k)));
  }
  parts.push(text({ x: x0 + w / 2, y: y0 + h + 34, 'text-anchor': 'middle' }, 'audio time (s), encoder frames'));
  parts.push(text({ x: x0 - 38, y: y0 + h / 2, 'text-anchor': 'middle', transform: `rotate(-90 ${num(x0 - 38)} ${num(y0 + h / 2)})` }, 'output token'));
  return el('g', { 'font-size': 11 }, parts);
}
