import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { AudioError, LasError } from '../errors.ts';
import type { Audio } from './types.ts';
import { concatSamples } from '../util/float32.ts';
import { createBlockDecoder } from './blockDecoder.ts';
import { blockFrames, validateStreamOptions, type DecodeOptions, type StreamOptions } from './options.ts';
import { readWavHeader, type WavHeader } from './riff.ts';
import { assertLongEnough } from './validate.ts';
import { headerInfo, type WavInfo } from './wav.ts';

function readFailed(path: string, cause: unknown): AudioError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AudioError('READ_FAILED', `cannot read file: ${reason}`, path, { cause });
}

/**
 * Opening a FIFO for reading blocks until a writer appears, possibly for ever, so a batch would
 * hang on a pipe named x.wav. Opened non-blocking, it returns at once, and the type is checked on
 * the open descriptor (no race with a rename between a stat and the open). O_NONBLOCK changes
 * nothing for a regular file's reads.
 *
 * Only regular files are read, and they are read synchronously, a block (at most 4 MiB) at a
 * time: from the page cache that takes well under a millisecond, while each asynchronous
 * operation leaves the event loop idle until the thread pool answers, and between transcriptions
 * that was expensive (issue 9): V8 then dropped the search's optimised code, so that
 * transcribe(path) recompiled it again and again (60 validation files x 6 rounds: 1,266
 * optimisations against 456 reading the same blocks synchronously) and cost about 0.007 CPU RTF
 * more than the same blocks from memory.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function fileKind(stat: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** Opens a regular file and parses its WAV header; the caller closes the descriptor. */
function openWav(path: string, input: string): { fd: number; header: WavHeader } {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (cause) {
    throw readFailed(input, cause);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new AudioError('READ_FAILED', `not a regular file (${fileKind(stat)})`, input);
    return { fd, header: readWavHeader(fd, stat.size, input) };
  } catch (error) {
    closeSync(fd);
    throw error instanceof LasError ? error : readFailed(input, error);
  }
}

/** Reads and checks a WAV file's header only (a few small reads, whatever the file's size). */
export async function probeWavFile(path: string, opts: { readonly input?: string } = {}): Promise<WavInfo> {
  const { fd, header } = openWav(path, opts.input ?? path);
  closeSync(fd);
  return headerInfo(header);
}

/**
 * Streams a WAV file as mono chunks at `targetRate` (16 kHz by default). The header is parsed
 * once; the samples are read in blocks of `chunkSeconds` (at most 4 MiB) and the resampler state
 * carries across blocks, so memory stays flat whatever the length and the concatenated chunks
 * equal decodeWav of the whole file. Header problems and clips shorter than one analysis frame
 * throw before the first chunk; NaN/Inf samples throw when their block is reached.
 */
export async function* streamWavFile(path: string, opts: StreamOptions = {}): AsyncGenerator<Audio, void, undefined> {
  const { input, targetRate, chunkSeconds } = validateStreamOptions(opts, path);
  const { fd, header } = openWav(path, input);
  try {
    assertLongEnough(header.frames, header.sampleRate, input);
    const decoder = createBlockDecoder(header, targetRate, input);
    const block = new Uint8Array(blockFrames(chunkSeconds, header.sampleRate, header.blockAlign) * header.blockAlign);
    const end = header.dataOffset + header.dataBytes;
    for (let pos = header.dataOffset; pos < end; pos += block.length) {
      const wanted = Math.min(block.length, end - pos);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, block, 0, wanted, pos);
      } catch (cause) {
        throw readFailed(input, cause);
      }
      if (bytesRead < wanted)
        throw new AudioError('TRUNCATED_DATA', `file ended at byte ${pos + bytesRead} while reading data that the header placed up to byte ${end}`, input);
      const samples = decoder.push(block.subarray(0, wanted));
      if (samples.length > 0) yield { samples, sampleRate: targetRate };
    }
    const tail = decoder.flush();
    if (tail.length > 0) yield { samples: tail, sampleRate: targetRate };
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole WAV file to mono at `targetRate`; the file itself is never held in memory. */
export async function readWavFile(path: string, opts: DecodeOptions = {}): Promise<Audio> {
  const { targetRate } = validateStreamOptions(opts, path);
  const parts: Float32Array[] = [];
  for await (const chunk of streamWavFile(path, opts)) parts.push(chunk.samples);
  return { samples: concatSamples(parts), sampleRate: targetRate };
}
