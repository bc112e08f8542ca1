/**
 * Writes the malformed-input corpus: one file per way a WAV input can be wrong (structure,
 * encoding, values, file type, size) plus content-free signals that are valid audio, and
 * `expected.tsv` with what `las probe` (header only) and decoding must answer for each:
 * an error code, or `ok`. test/audio/corpus.test.ts runs it into a scratch folder and checks
 * every line; nothing is committed but this script.
 *
 *   npx tsx scripts/make-malformed-corpus.ts OUT_DIR [--huge]
 *
 * --huge adds a sparse 3 GiB file (little real disk) whose header is valid: it must probe in a
 * few reads. Decoding it is a matter of the streaming decoder (issue 11, item 4), so it is
 * marked `skip` for decoding.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

interface Fmt {
  readonly tag: number;
  readonly channels: number;
  readonly rate: number;
  readonly bits: number;
  readonly blockAlign?: number;
}

const u16 = (n: number) => Buffer.from(Uint16Array.of(n).buffer);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const chunk = (id: string, body: Buffer, declared = body.length) => Buffer.concat([Buffer.from(id, 'latin1'), u32(declared), body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
const fmtBody = (f: Fmt) => {
  const align = f.blockAlign ?? f.channels * Math.ceil(f.bits / 8);
  return Buffer.concat([u16(f.tag), u16(f.channels), u32(f.rate), u32(f.rate * align), u16(align), u16(f.bits)]);
};
const riff = (chunks: readonly Buffer[], magic = 'RIFF') => {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  return Buffer.concat([Buffer.from(magic, 'latin1'), u32(body.length), body]);
};
const PCM16: Fmt = { tag: 1, channels: 1, rate: 16000, bits: 16 };
const pcm16 = (samples: ArrayLike<number>) => {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), 2 * i);
  return b;
};
const float32 = (samples: ArrayLike<number>) => Buffer.from(Float32Array.from(samples).buffer);
const wav = (f: Fmt, data: Buffer, extra: { before?: Buffer[]; between?: Buffer[] } = {}) => riff([...(extra.before ?? []), chunk('fmt ', fmtBody(f)), ...(extra.between ?? []), chunk('data', data)]);

let seed = 12345;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const second = 16000;
const tone = Array.from({ length: second }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / second));
const FLT_MAX = 3.4028234663852886e38;

/** name -> [bytes or a special kind, expected probe answer, expected decode answer]. */
type Case = readonly [Buffer | 'fifo' | 'directory' | 'huge', string, string];
const CASES: Record<string, Case> = {
  // Structure
  'empty.wav': [Buffer.alloc(0), 'EMPTY', 'EMPTY'],
  'text.wav': [Buffer.from('hello, this is not audio\n'), 'NOT_WAV', 'NOT_WAV'],
  'riff-cut.wav': [Buffer.from('RIFF\x10\x00', 'latin1'), 'TRUNCATED_HEADER', 'TRUNCATED_HEADER'],
  'no-fmt.wav': [riff([chunk('data', pcm16(tone))]), 'TRUNCATED_HEADER', 'TRUNCATED_HEADER'],
  'no-data.wav': [riff([chunk('fmt ', fmtBody(PCM16))]), 'TRUNCATED_DATA', 'TRUNCATED_DATA'],
  'fmt-cut.wav': [Buffer.concat([Buffer.from('RIFF\x20\x00\x00\x00WAVEfmt \x10\x00\x00\x00', 'latin1'), Buffer.alloc(6)]), 'TRUNCATED_HEADER', 'TRUNCATED_HEADER'],
  'data-cut.wav': [wav(PCM16, pcm16(tone)).subarray(0, 44 + 8000), 'TRUNCATED_DATA', 'TRUNCATED_DATA'],
  'data-size-huge.wav': [riff([chunk('fmt ', fmtBody(PCM16)), chunk('data', pcm16(tone), 0xfffffff0)]), 'TRUNCATED_DATA', 'TRUNCATED_DATA'],
  'chunk-header-cut.wav': [Buffer.concat([wav(PCM16, pcm16(tone)).subarray(0, 36), Buffer.from('da', 'latin1')]), 'TRUNCATED_HEADER', 'TRUNCATED_HEADER'],
  'two-fmt.wav': [wav(PCM16, pcm16(tone), { between: [chunk('fmt ', fmtBody({ ...PCM16, rate: 8000 }))] }), 'MALFORMED_HEADER', 'MALFORMED_HEADER'],
  'two-data.wav': [riff([chunk('data', pcm16(tone.slice(0, 800))), chunk('data', pcm16(tone)), chunk('fmt ', fmtBody(PCM16))]), 'MALFORMED_HEADER', 'MALFORMED_HEADER'],
  'rf64-no-ds64.wav': [riff([chunk('fmt ', fmtBody(PCM16)), chunk('data', pcm16(tone), 0xffffffff)], 'RF64'), 'TRUNCATED_HEADER', 'TRUNCATED_HEADER'],
  // Encodings
  'adpcm.wav': [wav({ tag: 2, channels: 1, rate: 16000, bits: 4, blockAlign: 256 }, Buffer.alloc(8192)), 'UNSUPPORTED_ENCODING', 'UNSUPPORTED_ENCODING'],
  'mp3-in-wav.wav': [wav({ tag: 0x55, channels: 1, rate: 16000, bits: 0, blockAlign: 1 }, Buffer.alloc(4096)), 'UNSUPPORTED_ENCODING', 'UNSUPPORTED_ENCODING'],
  // 12-bit samples sit left-justified in 16-bit containers: read as the container, they are right.
  'pcm-12-bit.wav': [wav({ tag: 1, channels: 1, rate: 16000, bits: 12, blockAlign: 2 }, pcm16(tone)), 'ok', 'ok'],
  'pcm-7-bit-odd-align.wav': [wav({ tag: 1, channels: 1, rate: 16000, bits: 7, blockAlign: 3 }, Buffer.alloc(9000)), 'UNSUPPORTED_ENCODING', 'UNSUPPORTED_ENCODING'],
  'zero-channels.wav': [wav({ tag: 1, channels: 0, rate: 16000, bits: 16, blockAlign: 2 }, pcm16(tone)), 'BAD_CHANNELS', 'BAD_CHANNELS'],
  'zero-rate.wav': [wav({ tag: 1, channels: 1, rate: 0, bits: 16 }, pcm16(tone)), 'BAD_SAMPLE_RATE', 'BAD_SAMPLE_RATE'],
  'rate-1mhz.wav': [wav({ tag: 1, channels: 1, rate: 1_000_000, bits: 16 }, pcm16(tone)), 'BAD_SAMPLE_RATE', 'BAD_SAMPLE_RATE'],
  // Values: the header is fine, the samples are not
  'float-nan.wav': [wav({ tag: 3, channels: 1, rate: 16000, bits: 32 }, float32(tone.map((x, i) => (i === 9000 ? Number.NaN : x)))), 'ok', 'NON_FINITE'],
  'float-inf.wav': [wav({ tag: 3, channels: 1, rate: 16000, bits: 32 }, float32(tone.map((x, i) => (i === 100 ? Number.POSITIVE_INFINITY : x)))), 'ok', 'NON_FINITE'],
  'float-near-max-44k.wav': [wav({ tag: 3, channels: 1, rate: 44100, bits: 32 }, float32(Array.from({ length: 4410 }, (_, i) => (Math.floor(i / 200) % 2 ? -FLT_MAX : FLT_MAX)))), 'ok', 'NON_FINITE'],
  'too-short.wav': [wav(PCM16, pcm16(tone.slice(0, 300))), 'ok', 'TOO_SHORT'],
  // File types
  'fifo.wav': ['fifo', 'READ_FAILED', 'READ_FAILED'],
  'directory.wav': ['directory', 'READ_FAILED', 'READ_FAILED'],
  // Content-free signals: valid audio, so they decode. Whether they are speech is for the
  // recogniser to say (no-speech detection, issue 11 item 8), not the decoder.
  'silence.wav': [wav(PCM16, pcm16(new Float32Array(second))), 'ok', 'ok'],
  'dc-offset.wav': [wav(PCM16, pcm16(new Float32Array(second).fill(0.5))), 'ok', 'ok'],
  'square-100hz.wav': [wav(PCM16, pcm16(Array.from({ length: second }, (_, i) => (Math.floor(i / 80) % 2 ? -0.5 : 0.5)))), 'ok', 'ok'],
  'white-noise.wav': [wav(PCM16, pcm16(Array.from({ length: second }, () => random() - 0.5))), 'ok', 'ok'],
  'denormals.wav': [wav({ tag: 3, channels: 1, rate: 16000, bits: 32 }, float32(Array.from({ length: second }, (_, i) => (i % 2 ? 1e-40 : -1e-40)))), 'ok', 'ok'],
};

export function writeCorpus(out: string, opts: { readonly huge?: boolean } = {}): string[] {
  mkdirSync(out, { recursive: true });
  const lines = ['file\tprobe\tdecode'];
  for (const [name, [content, probe, decode]] of Object.entries(CASES)) {
    const path = join(out, name);
    if (content === 'fifo') execFileSync('mkfifo', [path]);
    else if (content === 'directory') mkdirSync(path);
    else if (content !== 'huge') writeFileSync(path, content);
    lines.push(`${name}\t${probe}\t${decode}`);
  }
  if (opts.huge) {
    // 3 GiB of 16 kHz mono PCM data, as a sparse file: the header is written, the rest is a hole.
    const dataBytes = 3 * 2 ** 30;
    const header = Buffer.concat([Buffer.from('RIFF', 'latin1'), u32(36 + dataBytes), Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmtBody(PCM16)), Buffer.from('data', 'latin1'), u32(dataBytes)]);
    const fd = openSync(join(out, 'sparse-3gib.wav'), 'w');
    writeSync(fd, header);
    ftruncateSync(fd, header.length + dataBytes);
    closeSync(fd);
    lines.push('sparse-3gib.wav\tok\tskip');
  }
  writeFileSync(join(out, 'expected.tsv'), `${lines.join('\n')}\n`);
  return lines.slice(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (out === undefined) {
    process.stderr.write('usage: npx tsx scripts/make-malformed-corpus.ts OUT_DIR [--huge]\n');
    process.exit(2);
  }
  const written = writeCorpus(out, { huge: process.argv.includes('--huge') });
  process.stdout.write(`${written.length} cases in ${out} (expected.tsv)\n`);
}
