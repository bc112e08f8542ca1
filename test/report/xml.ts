/**
 * A small well-formedness check for the SVG the report writes: one root <svg>, every tag
 * closed in order, attribute values quoted, no raw '<' or '&' in text. Not a full XML parser,
 * but enough to catch unescaped file names and unbalanced markup.
 */
export function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let roots = 0;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textPart = xml.slice(i, lt === -1 ? xml.length : lt);
    if (/&(?!(lt|gt|amp|quot|apos);)/.test(textPart)) throw new Error(`raw & in text near offset ${i}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (m === null) throw new Error(`malformed tag at offset ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, closing, name, , selfClosing] = m;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at offset ${lt}`);
    } else if (selfClosing !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
    i = tag.lastIndex;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
}

/** The root <svg>'s width and height attributes, as numbers. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg\b[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (m === null) throw new Error('no <svg width height> at the start');
  return { width: Number(m[1]), height: Number(m[2]) };
}
