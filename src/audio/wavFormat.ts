import { AudioError } from '../errors.ts';
import { assertChannels, assertSampleRate } from './validate.ts';

/** How samples are stored in a WAV data chunk (after resolving WAVE_FORMAT_EXTENSIBLE). */
export type SampleEncoding = 'pcm' | 'float' | 'mulaw' | 'alaw';

/** What a block decoder needs to turn interleaved bytes into samples. */
export interface SampleLayout {
  readonly encoding: SampleEncoding;
  readonly channels: number;
  readonly sampleRate: number;
  /** Bytes one sample occupies in the stream (the container: 3 for 24-bit, 2 for 12-bit...). */
  readonly bytesPerSample: number;
}

export interface WavFormat extends SampleLayout {
  /** The format tag as written in the file (0xFFFE for EXTENSIBLE). */
  readonly formatTag: number;
  /** Significant bits per sample (wValidBitsPerSample for EXTENSIBLE). */
  readonly bitsPerSample: number;
  /** Bytes per frame: channels * bytesPerSample. */
  readonly blockAlign: number;
}

export const FMT_MIN_BYTES = 16;
/** The EXTENSIBLE fmt body: 16 base bytes + cbSize + validBits + channelMask + 16-byte GUID. */
export const FMT_EXTENSIBLE_BYTES = 40;

const TAG_PCM = 0x0001;
const TAG_FLOAT = 0x0003;
const TAG_ALAW = 0x0006;
const TAG_MULAW = 0x0007;
const TAG_EXTENSIBLE = 0xfffe;

const ENCODING_BY_TAG: ReadonlyMap<number, SampleEncoding> = new Map([
  [TAG_PCM, 'pcm'],
  [TAG_FLOAT, 'float'],
  [TAG_ALAW, 'alaw'],
  [TAG_MULAW, 'mulaw'],
]);

/** Names for the refusals users actually meet, so the error says what the file is. */
const KNOWN_UNSUPPORTED: ReadonlyMap<number, string> = new Map([
  [0x0002, 'Microsoft ADPCM'],
  [0x0011, 'IMA ADPCM'],
  [0x0031, 'GSM 6.10'],
  [0x0050, 'MPEG audio'],
  [0x0055, 'MP3'],
  [0x0092, 'Dolby AC-3'],
  [0x0161, 'Windows Media Audio'],
  [0x00ff, 'AAC'],
  [0xf1ac, 'FLAC'],
]);

/** KSDATAFORMAT_SUBTYPE_* GUIDs are the format tag followed by these 14 bytes. */
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function describeTag(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(4, '0')}`;
  const name = KNOWN_UNSUPPORTED.get(tag);
  return name ? `${name} (format ${hex})` : `format ${hex}`;
}

function unsupported(reason: string, input: string): AudioError {
  return new AudioError('UNSUPPORTED_ENCODING', `${reason}; only PCM 8/16/24/32-bit, float 32/64-bit, mu-law and A-law WAV are decoded`, input);
}

/**
 * Reads and checks a fmt chunk body. `body` holds the first bytes of the chunk (at least 16;
 * 40 when `chunkSize` says the chunk is EXTENSIBLE-sized).
 */
export function parseFmt(body: Uint8Array, chunkSize: number, input: string): WavFormat {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const formatTag = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlign = view.getUint16(12, true);
  // Bits the sample occupies as declared in the base fmt; EXTENSIBLE may declare fewer valid bits.
  const containerBits = view.getUint16(14, true);
  let bitsPerSample = containerBits;
  let effectiveTag = formatTag;

  if (formatTag === TAG_EXTENSIBLE) {
    if (chunkSize < FMT_EXTENSIBLE_BYTES || body.length < FMT_EXTENSIBLE_BYTES)
      throw new AudioError('TRUNCATED_HEADER', `EXTENSIBLE fmt chunk is ${chunkSize} bytes, needs ${FMT_EXTENSIBLE_BYTES}`, input);
    const validBits = view.getUint16(18, true);
    effectiveTag = view.getUint16(24, true);
    const guidMatches = SUBFORMAT_GUID_TAIL.every((byte, i) => body[26 + i] === byte);
    if (!guidMatches) throw unsupported('EXTENSIBLE WAV with a non-standard sub-format GUID', input);
    // validBits 0 means "all of the container" in files written by some tools.
    if (validBits > 0 && validBits <= containerBits) bitsPerSample = validBits;
  }

  const encoding = ENCODING_BY_TAG.get(effectiveTag);
  if (encoding === undefined) throw unsupported(`unsupported WAV encoding ${describeTag(effectiveTag)}`, input);
  assertChannels(channels, input);
  assertSampleRate(sampleRate, input);

  if (blockAlign === 0 || blockAlign % channels !== 0)
    throw unsupported(`block align ${blockAlign} does not fit ${channels} channel(s)`, input);
  const bytesPerSample = blockAlign / channels;
  const fits = (() => {
    switch (encoding) {
      case 'pcm':
        // Samples narrower than their container are left-justified, so 12-bit in 2 bytes
        // decodes correctly as 16-bit.
        return bytesPerSample <= 4 && containerBits >= 1 && Math.ceil(containerBits / 8) === bytesPerSample;
      case 'float':
        return (bytesPerSample === 4 || bytesPerSample === 8) && containerBits === bytesPerSample * 8;
      case 'mulaw':
      case 'alaw':
        return bytesPerSample === 1 && containerBits === 8;
    }
  })();
  if (!fits)
    throw unsupported(`${encoding} with ${containerBits} bits in ${bytesPerSample}-byte samples is not supported`, input);

  return { formatTag, encoding, channels, sampleRate, bitsPerSample, bytesPerSample, blockAlign };
}
