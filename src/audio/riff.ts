import { readSync } from 'node:fs';
import { AudioError } from '../errors.ts';
import { FMT_EXTENSIBLE_BYTES, FMT_MIN_BYTES, parseFmt, type WavFormat } from './wavFormat.ts';

/** A WAV file's layout: the format plus where the sample data lies. */
export interface WavHeader extends WavFormat {
  readonly container: 'RIFF' | 'RF64';
  /** Byte offset of the first sample. */
  readonly dataOffset: number;
  /** Bytes of sample data used: whole frames only (a trailing partial frame is ignored). */
  readonly dataBytes: number;
  readonly frames: number;
}

/**
 * The chunk walk is written once, as a generator that asks for byte ranges, and is driven either
 * over an in-memory buffer or over a file handle (so a one-hour file's header is parsed with a
 * few small reads). Requests never reach past `totalBytes`.
 */
interface ByteRequest {
  readonly offset: number;
  readonly length: number;
}
type HeaderWalk = Generator<ByteRequest, WavHeader, Uint8Array>;

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const DS64_MIN_BYTES = 24;
/** A 32-bit size of all ones: "see ds64" in RF64, "until end of file" from streaming writers. */
const SIZE_UNKNOWN = 0xffffffff;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

function u64(bytes: Uint8Array, offset: number): number {
  return u32(bytes, offset) + u32(bytes, offset + 4) * 2 ** 32;
}

function* walkWav(totalBytes: number, input: string): HeaderWalk {
  if (totalBytes === 0) throw new AudioError('EMPTY', 'file is empty (0 bytes)', input);
  const head = yield { offset: 0, length: Math.min(RIFF_HEADER_BYTES, totalBytes) };
  const magic = ascii(head, 0, 4);
  if (totalBytes < RIFF_HEADER_BYTES) {
    const looksLikeRiff = ['RIFF', 'RF64'].some((m) => m.startsWith(magic.slice(0, Math.min(4, totalBytes))));
    if (looksLikeRiff) throw new AudioError('TRUNCATED_HEADER', `only ${totalBytes} bytes, the RIFF header needs ${RIFF_HEADER_BYTES}`, input);
    throw new AudioError('NOT_WAV', `not a WAV file (${totalBytes} bytes, no RIFF/WAVE signature)`, input);
  }
  if ((magic !== 'RIFF' && magic !== 'RF64') || ascii(head, 8, 4) !== 'WAVE')
    throw new AudioError('NOT_WAV', `not a WAV file (starts with ${JSON.stringify(ascii(head, 0, 4))}, expected RIFF....WAVE)`, input);
  const container = magic === 'RF64' ? 'RF64' : 'RIFF';

  let format: WavFormat | undefined;
  let data: { offset: number; declared: number } | undefined;
  let ds64DataBytes: number | undefined;
  let pos = RIFF_HEADER_BYTES;
  while (format === undefined || data === undefined) {
    if (pos + CHUNK_HEADER_BYTES > totalBytes) {
      if (pos < totalBytes) throw new AudioError('TRUNCATED_HEADER', `chunk header at byte ${pos} is cut short by the end of file`, input);
      if (format === undefined) throw new AudioError('TRUNCATED_HEADER', 'no fmt chunk before the end of file', input);
      throw new AudioError('TRUNCATED_DATA', 'no data chunk: the file holds a header but no audio', input);
    }
    const chunk = yield { offset: pos, length: CHUNK_HEADER_BYTES };
    const id = ascii(chunk, 0, 4);
    const size = u32(chunk, 4);
    const body = pos + CHUNK_HEADER_BYTES;
    let bodyBytes = size;
    if (id === 'fmt ') {
      // Two fmt chunks contradict each other; which one the writer meant cannot be known, and
      // other readers take the first while some take the last.
      if (format !== undefined) throw new AudioError('MALFORMED_HEADER', `a second fmt chunk at byte ${pos}`, input);
      if (size < FMT_MIN_BYTES || body + FMT_MIN_BYTES > totalBytes)
        throw new AudioError('TRUNCATED_HEADER', `fmt chunk is cut short (declares ${size} bytes, ${Math.max(0, totalBytes - body)} present, needs ${FMT_MIN_BYTES})`, input);
      const wanted = Math.min(size, FMT_EXTENSIBLE_BYTES);
      if (body + wanted > totalBytes) throw new AudioError('TRUNCATED_HEADER', `fmt chunk declares ${size} bytes, only ${totalBytes - body} present`, input);
      format = parseFmt(yield { offset: body, length: wanted }, size, input);
    } else if (id === 'ds64' && container === 'RF64') {
      if (size < DS64_MIN_BYTES || body + DS64_MIN_BYTES > totalBytes) throw new AudioError('TRUNCATED_HEADER', 'ds64 chunk is cut short', input);
      ds64DataBytes = u64(yield { offset: body, length: DS64_MIN_BYTES }, 8);
    } else if (id === 'data') {
      if (data !== undefined) throw new AudioError('MALFORMED_HEADER', `a second data chunk at byte ${pos}`, input);
      if (size === SIZE_UNKNOWN) {
        if (container === 'RF64' && ds64DataBytes === undefined) throw new AudioError('TRUNCATED_HEADER', 'RF64 data chunk without a ds64 size', input);
        if (container === 'RIFF' && format === undefined) throw new AudioError('TRUNCATED_HEADER', 'no fmt chunk before a data chunk of unknown length', input);
        // RF64 keeps the real size in ds64; a writer to a pipe (ffmpeg) cannot seek back to
        // fill the size in, so its data runs to the end of the file.
        bodyBytes = ds64DataBytes ?? totalBytes - body;
      }
      // fmt after data is legal, if rare: the walk then goes on past the samples to find it.
      data = { offset: body, declared: bodyBytes };
    }
    pos = body + bodyBytes + (bodyBytes & 1); // chunks are padded to an even length
  }

  const available = totalBytes - data.offset;
  // A data chunk shorter than it declares is an error, not "decode what is there": the file was
  // cut off (an interrupted copy or download), so a transcript of what remains would silently
  // miss the end while looking complete, and a batch would not flag the damaged file. (Writers
  // that cannot know the length say so with SIZE_UNKNOWN, handled above.) Unguarded, node-wav
  // returns the declared length with zeros for the missing part.
  if (data.declared > available)
    throw new AudioError('TRUNCATED_DATA', `data chunk declares ${data.declared} bytes but only ${available} are present (file cut short)`, input);
  const frames = Math.floor(data.declared / format.blockAlign);
  if (frames === 0) throw new AudioError('TRUNCATED_DATA', `data chunk holds no complete sample frame (${data.declared} bytes)`, input);
  return { ...format, container, dataOffset: data.offset, dataBytes: frames * format.blockAlign, frames };
}

/** Parses the header of an in-memory WAV file. */
export function parseWavHeader(bytes: Uint8Array, input: string): WavHeader {
  const walk = walkWav(bytes.length, input);
  let step = walk.next();
  while (!step.done) step = walk.next(bytes.subarray(step.value.offset, step.value.offset + step.value.length));
  return step.value;
}

/** Parses the header of an open WAV file (descriptor `fd`) of `size` bytes with positioned reads. */
export function readWavHeader(fd: number, size: number, input: string): WavHeader {
  const walk = walkWav(size, input);
  let step = walk.next();
  while (!step.done) {
    const { offset, length } = step.value;
    const bytes = new Uint8Array(length);
    const bytesRead = readSync(fd, bytes, 0, length, offset);
    if (bytesRead < length) throw new AudioError('READ_FAILED', `file shrank while its header was read (byte ${offset + bytesRead})`, input);
    step = walk.next(bytes);
  }
  return step.value;
}
