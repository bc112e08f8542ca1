/**
 * A few string builders for hand-written SVG: no DOM, no dependencies. Every attribute value and
 * text node goes through `escapeXml`, so a file name or transcript cannot break the markup.
 */

export type Attributes = Readonly<Record<string, string | number | undefined>>;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Short decimal form: SVG files with thousands of cells stay small. */
export function num(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '0';
  return String(Number(value.toFixed(digits)));
}

function attrs(a: Attributes): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : String(v))}"`)
    .join('');
}

/** `<name a="..."/>` or `<name a="...">children</name>`; children are already markup. */
export function el(name: string, a: Attributes = {}, children: readonly string[] | string = []): string {
  const inner = typeof children === 'string' ? children : children.join('');
  return inner === '' ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${inner}</${name}>`;
}

/** A text node (escaped). */
export function text(a: Attributes, content: string): string {
  return el('text', a, escapeXml(content));
}

/** The root element with an explicit size and a white background, so viewers agree on layout. */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" ` +
    `font-family="sans-serif" font-size="12">\n` +
    el('rect', { x: 0, y: 0, width, height, fill: 'white' }) +
    '\n' +
    body.join('\n') +
    '\n</svg>\n'
  );
}

/** "Nice" tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(min: number, max: number, approxCount = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min) return [min];
  const raw = (max - min) / Math.max(1, approxCount);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  // Rounding keeps 0.30000000000000004 out of the labels.
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** One colour per series, readable on white and distinguishable in grey-scale print. */
export const SERIES_COLOURS = ['#1f5fa8', '#d1495b', '#2a9d55', '#8e5bb5', '#e08e0b'] as const;

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length];
}
