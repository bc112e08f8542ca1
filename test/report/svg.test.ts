import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { attentionHeatmapSvg, maxPool } from '../../src/report/heatmap.ts';
import { escapeXml, ticks } from '../../src/report/svg.ts';
import { scatterSvg, werVsDurationSvg } from '../../src/report/werPlot.ts';
import { checkWellFormed, svgSize } from './xml.ts';

/** [rows, cols] with a single 1 per row at `peak(row)`. */
function oneHot(rows: number, cols: number, peak: (row: number) => number) {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) data[r * cols + peak(r)] = 1;
  return { rows, cols, data };
}

/** The fill-opacity of every <path> in the heatmap cells group. */
const shadePaths = (svg: string) => [...svg.matchAll(/<path fill-opacity="([\d.]+)" d="([^"]+)"/g)].map((m) => ({ opacity: Number(m[1]), cells: m[2].split('M').length - 1 }));

describe('svg helpers', () => {
  it('escapes markup characters in text and attributes', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('picks round tick steps that cover the range', () => {
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(0, 39.1, 6)).toEqual([0, 10, 20, 30]);
    expect(ticks(0, 0.7, 5)).toEqual([0, 0.2, 0.4, 0.6]);
    for (const [lo, hi] of [[0, 1234], [0, 3.3], [5, 17]]) {
      const t = ticks(lo, hi, 5);
      expect(t[0]).toBeGreaterThanOrEqual(lo);
      expect(t.at(-1)).toBeLessThanOrEqual(hi);
      expect(t.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('attention heatmap', () => {
  it('draws one titled panel per mode, side by side, as well-formed SVG with a size', () => {
    const svg = attentionHeatmapSvg(
      [
        { title: 'global <all> & more', matrix: oneHot(10, 30, (r) => 3 * r) },
        { title: 'local', matrix: oneHot(10, 30, (r) => 2 * r) },
      ],
      { panelWidth: 300, panelHeight: 200, caption: 'clip "a".wav' },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    checkWellFormed(svg);
    const panel = { title: 'x', matrix: oneHot(2, 2, () => 0) };
    const one = svgSize(attentionHeatmapSvg([panel], { panelWidth: 300, panelHeight: 200 }));
    const three = svgSize(attentionHeatmapSvg([panel, panel, panel], { panelWidth: 300, panelHeight: 200 }));
    const two = svgSize(svg);
    // Each panel adds the same width; the intensity scale is drawn once.
    expect(three.width - two.width).toBe(two.width - one.width);
    expect(two.width - one.width).toBeGreaterThan(300);
    expect(svg).toContain('global &lt;all&gt; &amp; more');
    expect(svg).toContain('clip &quot;a&quot;.wav');
  });

  it('inks exactly the attended cells, at full shade for the peak', () => {
    const svg = attentionHeatmapSvg([{ title: 'diag', matrix: oneHot(8, 8, (r) => r) }]);
    const paths = shadePaths(svg);
    expect(paths).toHaveLength(1); // a single shade: every peak is 1
    expect(paths[0].opacity).toBe(1);
    expect(paths[0].cells).toBe(8); // one cell per row, no merging across rows
  });

  it('leaves zero weights white and shades weaker weights lighter', () => {
    const data = new Float32Array([1, 0.25, 0, 0]); // [1 row, 4 cols]
    const paths = shadePaths(attentionHeatmapSvg([{ title: 't', matrix: { rows: 1, cols: 4, data } }]));
    expect(paths.map((p) => p.cells).reduce((a, b) => a + b)).toBe(2);
    const [light, dark] = paths.sort((a, b) => a.opacity - b.opacity);
    expect(light.opacity).toBeLessThan(dark.opacity);
  });

  it('shades every panel on one intensity scale, shown by a labelled bar', () => {
    const weak = { rows: 1, cols: 2, data: new Float32Array([0.5, 0]) };
    const strong = { rows: 1, cols: 2, data: new Float32Array([1, 0]) };
    const svg = attentionHeatmapSvg([{ title: 'weak', matrix: weak }, { title: 'strong', matrix: strong }]);
    const opacities = shadePaths(svg).map((p) => p.opacity).sort();
    expect(opacities).toHaveLength(2);
    expect(opacities[0]).toBeLessThan(1); // the weaker panel is not drawn at full ink
    expect(opacities[1]).toBe(1);
    const scale = /<g class="intensity-scale"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect([...scale.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0', '0.1', '0.25', '0.5', '1', 'weight']);
  });

  it('draws every panel on one token scale: fewer tokens make a shorter panel, not taller rows', () => {
    const svg = attentionHeatmapSvg([{ title: 'ten', matrix: oneHot(10, 10, (r) => r) }, { title: 'five', matrix: oneHot(5, 10, (r) => r) }], { panelHeight: 200 });
    const heights = [...svg.matchAll(/v([\d.]+)h/g)].map((m) => Number(m[1]));
    expect(new Set(heights)).toEqual(new Set([20])); // 200 px / 10 tokens in both panels
  });

  it('max-pools large matrices so a one-frame peak survives', () => {
    const m = oneHot(1000, 1000, (r) => r);
    const pooled = maxPool(m, 100, 50);
    expect([pooled.rows, pooled.cols]).toEqual([100, 50]);
    for (let r = 0; r < 100; r++) expect(Math.max(...pooled.data.subarray(r * 50, (r + 1) * 50))).toBe(1);
    const svg = attentionHeatmapSvg([{ title: 'big', matrix: m }], { maxRows: 100, maxCols: 50 });
    expect(shadePaths(svg).reduce((n, p) => n + p.cells, 0)).toBeLessThanOrEqual(100 * 2);
  });

  it('says so for a panel without output tokens, and rejects inconsistent matrices', () => {
    expect(attentionHeatmapSvg([{ title: 'empty', matrix: { rows: 0, cols: 50, data: new Float32Array(0) } }])).toContain('no output tokens');
    expect(() => attentionHeatmapSvg([{ title: 'bad', matrix: { rows: 3, cols: 3, data: new Float32Array(4) } }])).toThrow(ConfigError);
    expect(() => attentionHeatmapSvg([])).toThrow(ConfigError);
    expect(() => attentionHeatmapSvg([{ title: 'x', matrix: oneHot(1, 1, () => 0) }], { frameSeconds: 0 })).toThrow(ConfigError);
  });
});

describe('WER against duration', () => {
  it('draws one marker per point and a legend entry per series', () => {
    const svg = werVsDurationSvg([
      { mode: 'global', points: [{ id: 'a', seconds: 2, wer: 0.1 }, { id: 'b', seconds: 40, wer: 0.5 }] },
      { mode: 'local', points: [{ id: 'a', seconds: 2, wer: 0.1 }, { id: 'b', seconds: 40, wer: 0.2 }] },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    checkWellFormed(svg);
    expect(svgSize(svg).width).toBeGreaterThan(0);
    const series = [...svg.matchAll(/<g class="series" data-name="(\w+)">(.*?)<\/g>/g)];
    expect(series.map((m) => m[1])).toEqual(['global', 'local']);
    for (const m of series) expect(m[2].match(/<title>/g)).toHaveLength(2);
    expect(svg).toContain('b (global): 40 s, WER 50%');
  });

  it('names each utterance once beside its points and draws the 100 % line', () => {
    const svg = werVsDurationSvg([
      { mode: 'global', points: [{ id: 'a.wav', seconds: 2, wer: 1.5 }, { id: 'b.wav', seconds: 40, wer: 0.5 }] },
      { mode: 'local', points: [{ id: 'a.wav', seconds: 2, wer: 0.2 }, { id: 'b.wav', seconds: 40, wer: 0.25 }] },
    ]);
    const tags = /<g class="tags">(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect([...tags.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(['a', 'b']);
    expect(svg).toMatch(/<line class="reference"[^>]*stroke-dasharray/);
    expect(svg).toContain('WER 100 %');
    // The two modes' markers of one utterance do not sit on top of each other.
    const cx = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    const sq = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="9"/g)].map((m) => Number(m[1]) + 4.5);
    expect(Math.abs(cx[0]! - sq[0]!)).toBeGreaterThanOrEqual(2 * 4.5);
  });

  it('stacks the names of utterances that share a point instead of overprinting them', () => {
    const svg = werVsDurationSvg([{ mode: 'global', points: ['one', 'two', 'three'].map((id) => ({ id, seconds: 2, wer: 0 })) }]);
    const ys = [...(/<g class="tags">(.*?)<\/g>/.exec(svg)?.[1] ?? '').matchAll(/<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(3);
    expect(new Set(ys).size).toBe(3);
    const sorted = [...ys].sort((a, b) => a - b);
    expect(sorted[1]! - sorted[0]!).toBeGreaterThanOrEqual(11);
  });

  it('places a higher WER higher up, and skips non-finite points', () => {
    const svg = scatterSvg([{ name: 's', points: [{ x: 1, y: 10, label: 'low' }, { x: 2, y: 90, label: 'high' }, { x: NaN, y: 1, label: 'nan' }] }]);
    const y = (label: string) => Number(new RegExp(`cy="([\\d.]+)"[^>]*><title>${label}<`).exec(svg)?.[1]);
    expect(y('high')).toBeLessThan(y('low'));
    expect(svg).not.toContain('<title>nan<');
  });
});
