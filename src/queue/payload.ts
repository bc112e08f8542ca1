import { isModeName, MODE_NAMES } from '../attention/index.ts';
import { isTimestampSource, TIMESTAMP_SOURCES, type TimestampSource } from '../decoding/ctcTiming.ts';
import { MAX_BEAM, MAX_LM_WEIGHT } from '../decoding/options.ts';
import { QueueError } from '../errors.ts';
import { stripUndefined } from '../util/stripUndefined.ts';

/** Subtitle formats a job can ask for beside the JSON record (which every result has). */
export const SUBTITLE_FORMATS = ['srt', 'vtt'] as const;
export type SubtitleFormat = (typeof SUBTITLE_FORMATS)[number];

/**
 * Largest WAV a bytes job may carry: 8 MiB (4 min 22 s of 16 kHz 16-bit mono). The bytes travel
 * base64-encoded inside the job (4/3 of the size) and Redis holds them until the job is removed,
 * so a bigger file belongs on shared storage and goes by path.
 */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

/** The decoding options a job carries; the worker fills the rest with DEFAULT_DECODING_OPTIONS. */
export interface JobDecoding {
  readonly mode: string;
  readonly beam: number;
  readonly ctcWeight: number;
  /** Weight of the bundle's character language model; absent: the bundle's default (see DecodingOptions.lmWeight). */
  readonly lmWeight?: number;
  /** Weight of the bundle's word language model; absent: the bundle's default (see DecodingOptions.wordLmWeight). */
  readonly wordLmWeight?: number;
  readonly left?: number;
  readonly right?: number;
  /** Where word times come from; absent: the default (DecodingOptions.timestamps, 'ctc'). */
  readonly timestamps?: TimestampSource;
}

export type JobSource = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'bytes'; readonly base64: string };

/** What one job holds: everything a worker needs, and nothing it should trust unchecked. */
export interface JobPayload {
  readonly version: 1;
  /** Names the input in the result (the JSON record's `file`) and in errors: the path as given to `queue add`. */
  readonly name: string;
  readonly source: JobSource;
  /** SHA-256 of the WAV bytes, hex: the worker refuses a file whose content changed since. */
  readonly sha256: string;
  readonly decoding: JobDecoding;
  readonly formats: readonly SubtitleFormat[];
}

const MAX_NAME_LENGTH = 4096;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a job's data as untrusted input: anything off is QueueError BAD_JOB naming the job. */
export function validateJobPayload(data: unknown, job: string): JobPayload {
  const bad = (message: string): never => {
    throw new QueueError('BAD_JOB', message, job);
  };
  const record = (value: unknown, what: string): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : bad(`${what} must be an object`);
  const onlyKeys = (o: Record<string, unknown>, allowed: readonly string[], what: string) => {
    const extra = Object.keys(o).filter((k) => !allowed.includes(k));
    if (extra.length > 0) bad(`${what} has unknown field(s) ${extra.join(', ')}`);
  };
  const d = record(data, 'the job data');
  onlyKeys(d, ['version', 'name', 'source', 'sha256', 'decoding', 'formats'], 'the job data');
  if (d.version !== 1) bad(`unsupported job version ${JSON.stringify(d.version)} (this worker reads version 1)`);
  const name = typeof d.name === 'string' && d.name.length > 0 && d.name.length <= MAX_NAME_LENGTH && !d.name.includes('\0') ? d.name : bad('name must be a non-empty string without NUL');
  if (!(typeof d.sha256 === 'string' && /^[0-9a-f]{64}$/.test(d.sha256))) bad('sha256 must be 64 lower-case hex digits');

  const s = record(d.source, 'source');
  let source: JobSource;
  if (s.kind === 'path') {
    onlyKeys(s, ['kind', 'path'], 'source');
    if (!(typeof s.path === 'string' && s.path.length > 0 && s.path.length <= MAX_NAME_LENGTH && !s.path.includes('\0'))) bad('source.path must be a non-empty string without NUL');
    source = { kind: 'path', path: s.path as string };
  } else if (s.kind === 'bytes') {
    onlyKeys(s, ['kind', 'base64'], 'source');
    if (!(typeof s.base64 === 'string' && BASE64.test(s.base64))) bad('source.base64 must be base64 text');
    const base64 = s.base64 as string;
    const bytes = Math.floor((base64.length * 3) / 4);
    if (bytes > MAX_PAYLOAD_BYTES + 2) throw new QueueError('PAYLOAD_TOO_LARGE', `${bytes} bytes is over the ${MAX_PAYLOAD_BYTES}-byte limit of a bytes job`, job);
    source = { kind: 'bytes', base64 };
  } else source = bad(`source.kind must be "path" or "bytes", got ${JSON.stringify(s.kind)}`);

  const o = record(d.decoding, 'decoding');
  onlyKeys(o, ['mode', 'beam', 'ctcWeight', 'lmWeight', 'wordLmWeight', 'left', 'right', 'timestamps'], 'decoding');
  if (!isModeName(o.mode)) bad(`decoding.mode must be one of ${MODE_NAMES.join(', ')}`);
  if (!(Number.isInteger(o.beam) && (o.beam as number) >= 1 && (o.beam as number) <= MAX_BEAM)) bad(`decoding.beam must be an integer in 1..${MAX_BEAM}`);
  if (!(typeof o.ctcWeight === 'number' && o.ctcWeight >= 0 && o.ctcWeight <= 1)) bad('decoding.ctcWeight must be a number in [0, 1]');
  for (const key of ['lmWeight', 'wordLmWeight'] as const)
    if (o[key] !== undefined && !(typeof o[key] === 'number' && (o[key] as number) >= 0 && (o[key] as number) <= MAX_LM_WEIGHT)) bad(`decoding.${key} must be a number in [0, ${MAX_LM_WEIGHT}]`);
  for (const key of ['left', 'right'] as const)
    if (o[key] !== undefined && !(Number.isInteger(o[key]) && (o[key] as number) >= 0)) bad(`decoding.${key} must be an integer >= 0`);
  if (o.timestamps !== undefined && !isTimestampSource(o.timestamps)) bad(`decoding.timestamps must be one of ${TIMESTAMP_SOURCES.join(', ')}`);

  const formats = Array.isArray(d.formats) ? d.formats : bad('formats must be an array');
  for (const f of formats) if (!(SUBTITLE_FORMATS as readonly unknown[]).includes(f)) bad(`formats may hold only ${SUBTITLE_FORMATS.join(', ')}, got ${JSON.stringify(f)}`);
  if (new Set(formats).size !== formats.length) bad('formats lists a format twice');

  const decoding: JobDecoding = {
    mode: o.mode as string,
    beam: o.beam as number,
    ctcWeight: o.ctcWeight as number,
    ...stripUndefined({
      lmWeight: o.lmWeight as number | undefined,
      wordLmWeight: o.wordLmWeight as number | undefined,
      left: o.left as number | undefined,
      right: o.right as number | undefined,
      timestamps: o.timestamps as TimestampSource | undefined,
    }),
  };
  return { version: 1, name, source, sha256: d.sha256 as string, decoding, formats: formats as SubtitleFormat[] };
}
