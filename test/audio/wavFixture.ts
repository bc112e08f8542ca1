/**
 * Builds WAV files byte by byte for the tests, independently of the code under test, so that
 * no binary fixtures are committed and every header field can be set (or broken) at will.
 */

export type FixtureEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'mulaw' | 'alaw';

export const FORMAT_TAG: Record<FixtureEncoding, number> = {
  pcm8: 1, pcm16: 1, pcm24: 1, pcm32: 1, float32: 3, float64: 3, alaw: 6, mulaw: 7,
};
export const BYTES: Record<FixtureEncoding, number> = {
  pcm8: 1, pcm16: 2, pcm24: 3, pcm32: 4, float32: 4, float64: 8, alaw: 1, mulaw: 1,
};

export interface Chunk {
  readonly id: string;
  readonly body: Uint8Array;
}

export interface WavSpec {
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Default channels * ceil(bits / 8). */
  readonly blockAlign?: number;
  /** Interleaved sample bytes. */
  readonly data: Uint8Array;
  /** Written as WAVE_FORMAT_EXTENSIBLE (fmt size 40) with this sub-format tag. */
  readonly extensibleSubFormat?: number;
  readonly validBits?: number;
  /** fmt size 18 with cbSize 0, as sox and ffmpeg write for non-PCM formats. */
  readonly fmtWithCbSize?: boolean;
  readonly chunksBeforeFmt?: readonly Chunk[];
  readonly chunksBeforeData?: readonly Chunk[];
  readonly chunksAfterData?: readonly Chunk[];
  /** Overrides the data chunk's declared size. */
  readonly declaredDataSize?: number;
  /** Writes the data chunk before the fmt chunk. */
  readonly dataFirst?: boolean;
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function chunkBytes(id: string, body: Uint8Array, declared = body.length): Uint8Array {
  const pad = body.length & 1;
  const out = new Uint8Array(8 + body.length + pad);
  out.set(asciiBytes(id));
  new DataView(out.buffer).setUint32(4, declared, true);
  out.set(body, 8);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function fmtBody(spec: WavSpec): Uint8Array {
  const extensible = spec.extensibleSubFormat !== undefined;
  const size = extensible ? 40 : spec.fmtWithCbSize ? 18 : 16;
  const body = new Uint8Array(size);
  const v = new DataView(body.buffer);
  const blockAlign = spec.blockAlign ?? spec.channels * Math.ceil(spec.bitsPerSample / 8);
  v.setUint16(0, extensible ? 0xfffe : spec.formatTag, true);
  v.setUint16(2, spec.channels, true);
  v.setUint32(4, spec.sampleRate, true);
  v.setUint32(8, spec.sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, spec.bitsPerSample, true);
  if (extensible) {
    v.setUint16(16, 22, true); // cbSize
    v.setUint16(18, spec.validBits ?? spec.bitsPerSample, true);
    v.setUint32(20, spec.channels === 2 ? 0x3 : 0, true); // channel mask
    v.setUint16(24, spec.extensibleSubFormat!, true);
    body.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return body;
}

export function buildWav(spec: WavSpec): Uint8Array {
  const fmt = chunkBytes('fmt ', fmtBody(spec));
  const data = chunkBytes('data', spec.data, spec.declaredDataSize ?? spec.data.length);
  const extra = (chunks: readonly Chunk[] = []) => chunks.map((c) => chunkBytes(c.id, c.body));
  const body = spec.dataFirst
    ? [...extra(spec.chunksBeforeFmt), data, ...extra(spec.chunksBeforeData), fmt]
    : [...extra(spec.chunksBeforeFmt), fmt, ...extra(spec.chunksBeforeData), data, ...extra(spec.chunksAfterData)];
  const riffBody = concat([asciiBytes('WAVE'), ...body]);
  const header = new Uint8Array(8);
  header.set(asciiBytes('RIFF'));
  new DataView(header.buffer).setUint32(4, riffBody.length, true);
  return concat([header, riffBody]);
}

/** Integer full scale of a PCM encoding: 2^(bits - 1). */
export function fullScale(enc: 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32'): number {
  return 2 ** (BYTES[enc] * 8 - 1);
}

/**
 * Interleaves planar values into sample bytes. For PCM the values are integers in
 * [-fullScale, fullScale - 1]; for float they are written as given; for G.711 they are codes.
 */
export function interleave(planar: readonly ArrayLike<number>[], enc: FixtureEncoding): Uint8Array {
  const channels = planar.length;
  const frames = planar[0].length;
  const size = BYTES[enc];
  const out = new Uint8Array(frames * channels * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < channels; ch++) {
      const pos = (i * channels + ch) * size;
      const x = planar[ch][i];
      switch (enc) {
        case 'pcm8': v.setUint8(pos, x + 128); break; // 8-bit WAV is unsigned
        case 'pcm16': v.setInt16(pos, x, true); break;
        case 'pcm24': v.setUint8(pos, x & 0xff); v.setUint8(pos + 1, (x >> 8) & 0xff); v.setUint8(pos + 2, (x >> 16) & 0xff); break;
        case 'pcm32': v.setInt32(pos, x, true); break;
        case 'float32': v.setFloat32(pos, x, true); break;
        case 'float64': v.setFloat64(pos, x, true); break;
        case 'mulaw': case 'alaw': v.setUint8(pos, x); break;
      }
    }
  }
  return out;
}

export function simpleWav(planar: readonly ArrayLike<number>[], enc: FixtureEncoding, sampleRate: number, extra: Partial<WavSpec> = {}): Uint8Array {
  return buildWav({
    formatTag: FORMAT_TAG[enc],
    channels: planar.length,
    sampleRate,
    bitsPerSample: BYTES[enc] * 8,
    data: interleave(planar, enc),
    ...extra,
  });
}

/** Deterministic pseudo-random integers in [lo, hi] (mulberry32), so failures reproduce. */
export function randomInts(count: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out.push(lo + Math.floor(r * (hi - lo + 1)));
  }
  return out;
}

/** ITU G.711 compression, written from the standard's segment rules (the inverse of g711.ts). */
export function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function linearToAlaw(sample: number): number {
  let value = sample >> 3; // 13-bit
  let mask: number;
  if (value >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    value = -value - 1;
  }
  const segmentEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  const segment = segmentEnds.findIndex((end) => value <= end);
  if (segment < 0) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}
