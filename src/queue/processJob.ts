import { validateDecodingOptions } from '../decoding/options.ts';
import { LasError, QueueError } from '../errors.ts';
import { formatTranscript, transcriptRecord } from '../report/transcriptFormats.ts';
import type { AudioSource } from '../rx/decodeAudio.ts';
import { transcribeSource } from '../rx/transcribeSources.ts';
import type { LoadedModel, TranscriptionResult } from '../offline/transcribe.ts';
import { resolveInRoots, type InputRoot } from './inputRoots.ts';
import { hashBytes, hashFile } from './jobId.ts';
import { validateJobPayload, type JobPayload } from './payload.ts';
import type { StoredResult } from './resultStore.ts';

/**
 * Codes that say the input itself is bad: running the job again cannot help, so it fails at
 * once (BullMQ UnrecoverableError). READ_FAILED is not among them: a file on shared storage can
 * be away for a moment. Everything else (a bug, Redis, the file system) is retried with backoff.
 */
export const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'EMPTY', 'NOT_WAV', 'TRUNCATED_HEADER', 'MALFORMED_HEADER', 'TRUNCATED_DATA', 'UNSUPPORTED_ENCODING', 'BAD_CHANNELS',
  'BAD_SAMPLE_RATE', 'NON_FINITE', 'TOO_SHORT', 'SILENT', 'TOO_LONG', 'BAD_CONFIG', 'NON_FINITE_OUTPUT',
  'BAD_JOB', 'PATH_OUTSIDE_ROOTS', 'INPUT_CHANGED', 'PAYLOAD_TOO_LARGE',
]);

/** The typed code of what a job failed with; WORKER_ERROR for anything that is not a LasError. */
export const codeOf = (err: unknown): string => (err instanceof LasError ? err.code : 'WORKER_ERROR');

export const isPermanent = (err: unknown): boolean => PERMANENT_CODES.has(codeOf(err));

/** A failed job's reason is `CODE: message`; this reads the code back (BullMQ's own stalled failure has none). */
export function codeOfReason(reason: string | undefined): string {
  const m = /^([A-Z][A-Z0-9_]+): /.exec(reason ?? '');
  return m !== null ? m[1]! : /stalled/i.test(reason ?? '') ? 'STALLED' : 'WORKER_ERROR';
}

export interface JobContext {
  readonly model: LoadedModel;
  readonly inputRoots: readonly InputRoot[];
  readonly worker: string;
}

/**
 * One job, from its untrusted data to the result to store: the payload is validated, a path is
 * resolved inside the input roots, the content is checked against the hash it was queued
 * under, and the input is decoded exactly as `las transcribe` decodes it (transcribeSource),
 * with its JSON record (and subtitles on request) built by the same code.
 */
export async function processJob(data: unknown, jobId: string, attempt: number, ctx: JobContext): Promise<StoredResult> {
  const payload = validateJobPayload(data, jobId);
  const decoding = validateDecodingOptions(payload.decoding as Parameters<typeof validateDecodingOptions>[0]);
  const source = await sourceOf(payload, ctx.inputRoots);
  const result: TranscriptionResult = await transcribeSource(ctx.model, decoding, source);
  const subtitles = Object.fromEntries(payload.formats.map((f) => [f, formatTranscript(f, payload.name, result)]));
  return { jobId, record: transcriptRecord(payload.name, result), ...subtitles, worker: ctx.worker, attempt, finishedAt: Date.now() };
}

async function sourceOf(payload: JobPayload, roots: readonly InputRoot[]): Promise<AudioSource> {
  const { name, source, sha256 } = payload;
  if (source.kind === 'bytes') {
    const bytes = Buffer.from(source.base64, 'base64');
    if (hashBytes(bytes) !== sha256) throw new QueueError('INPUT_CHANGED', 'the bytes do not have the hash the job was queued under', name);
    return { id: name, bytes };
  }
  const path = await resolveInRoots(source.path, roots, name);
  if ((await hashFile(path, name)) !== sha256) throw new QueueError('INPUT_CHANGED', 'the file changed since it was queued (its content hash differs): queue it again', name);
  return { id: name, path };
}
