/**
 * G.711 mu-law and A-law expansion (ITU-T G.711). node-wav 0.0.2 refuses WAV format tags 6 and
 * 7, and the expansion is a few shifts, so it is done here. The 256-entry tables are computed
 * from the formulas once at load, not written out.
 */

const SIGN_BIT = 0x80;
const SEGMENT_MASK = 0x70;
const SEGMENT_SHIFT = 4;
const QUANT_MASK = 0x0f;
const MULAW_BIAS = 0x84;
/** Linear G.711 values are 16-bit integers (mu-law peaks at 32124, A-law at 32256). */
const FULL_SCALE = 32768;

function mulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const magnitude = (((u & QUANT_MASK) << 3) + MULAW_BIAS) << ((u & SEGMENT_MASK) >> SEGMENT_SHIFT);
  return u & SIGN_BIT ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
}

function alawToLinear(code: number): number {
  const a = code ^ 0x55; // even bits are inverted on the wire
  const segment = (a & SEGMENT_MASK) >> SEGMENT_SHIFT;
  let magnitude = (a & QUANT_MASK) << 4;
  magnitude += segment === 0 ? 8 : 0x108;
  if (segment > 1) magnitude <<= segment - 1;
  // In A-law a set sign bit means positive.
  return a & SIGN_BIT ? magnitude : -magnitude;
}

function buildTable(expand: (code: number) => number): Float32Array {
  const table = new Float32Array(256);
  for (let code = 0; code < 256; code++) table[code] = expand(code) / FULL_SCALE;
  return table;
}

export const MULAW_TABLE: Float32Array = buildTable(mulawToLinear);
export const ALAW_TABLE: Float32Array = buildTable(alawToLinear);

/** De-interleaves 8-bit G.711 codes into planar float channels: [channels][frames]. */
export function decodeG711(codes: Uint8Array, channels: number, table: Float32Array): Float32Array[] {
  const frames = Math.floor(codes.length / channels);
  const planar: Float32Array[] = [];
  for (let ch = 0; ch < channels; ch++) {
    const out = new Float32Array(frames);
    for (let i = 0, pos = ch; i < frames; i++, pos += channels) out[i] = table[codes[pos]];
    planar.push(out);
  }
  return planar;
}
