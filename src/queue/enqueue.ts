import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { DecodingOptions } from '../decoding/options.ts';
import { DEFAULT_DECODING_OPTIONS, validateDecodingOptions } from '../decoding/options.ts';
import { AudioError, ConfigError, LasError, QueueError } from '../errors.ts';
import { stripUndefined } from '../util/stripUndefined.ts';
import { checkRedis, parseRedisUrl, redisOptions } from './connection.ts';
import { hashBytes, hashFile, jobIdFor } from './jobId.ts';
import { validateQueueName, type QueueTarget } from './names.ts';
import { MAX_PAYLOAD_BYTES, SUBTITLE_FORMATS, type JobDecoding, type JobPayload, type SubtitleFormat } from './payload.ts';

export interface EnqueueOptions extends QueueTarget {
  /** Mode, beam, CTC, LM and word LM weights, local window and timestamp source; the rest of DecodingOptions keeps its defaults. */
  readonly decoding?: Partial<Pick<DecodingOptions, 'mode' | 'beam' | 'ctcWeight' | 'lmWeight' | 'wordLmWeight' | 'left' | 'right' | 'timestamps'>>;
  /** Subtitles to store beside the JSON record. Default none. */
  readonly formats?: readonly SubtitleFormat[];
  /**
   * 'path' (default): the job holds the file's absolute path, for workers that see the same
   * storage; 'bytes': it holds the file's bytes (at most MAX_PAYLOAD_BYTES), for workers anywhere.
   */
  readonly carry?: 'path' | 'bytes';
  /** Tries for a transient failure (a permanent one gets one). Default 3. */
  readonly attempts?: number;
  /** First retry delay, doubled at each retry. Default 1000 ms. */
  readonly backoffMs?: number;
  /** Put a job that failed under the same content and options back in the queue (say, once its storage is back) instead of skipping it. Default false. */
  readonly retryFailed?: boolean;
}

export interface EnqueueSummary {
  readonly queued: readonly string[];
  /** Inputs already queued or done under the same content and options (job ids). */
  readonly skipped: readonly string[];
  /** Failed jobs put back in the queue (retryFailed). */
  readonly retried: readonly string[];
  /** Inputs that could not be read (or were too large to carry): nothing was queued for them. */
  readonly failed: readonly LasError[];
}

/** The options a job carries, filled and checked once for the whole batch. */
export function jobDecoding(options: EnqueueOptions['decoding']): JobDecoding {
  const d = validateDecodingOptions(options ?? {});
  return {
    mode: d.mode,
    beam: d.beam,
    ctcWeight: d.ctcWeight,
    ...stripUndefined({ lmWeight: d.lmWeight, wordLmWeight: d.wordLmWeight, left: d.left, right: d.right }),
    // Carried only when not the default, so that a default job stays readable by workers from before the field.
    ...(d.timestamps === DEFAULT_DECODING_OPTIONS.timestamps ? {} : { timestamps: d.timestamps }),
  };
}

async function payloadFor(input: string, carry: 'path' | 'bytes', decoding: JobDecoding, formats: readonly SubtitleFormat[]): Promise<JobPayload> {
  if (carry === 'path') return { version: 1, name: input, source: { kind: 'path', path: resolve(input) }, sha256: await hashFile(input), decoding, formats };
  let size: number;
  try {
    size = (await stat(input)).size;
  } catch (cause) {
    throw new AudioError('READ_FAILED', `cannot read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, input, { cause });
  }
  if (size > MAX_PAYLOAD_BYTES) throw new QueueError('PAYLOAD_TOO_LARGE', `${size} bytes is over the ${MAX_PAYLOAD_BYTES}-byte limit of a bytes job: put it on shared storage and queue it by path`, input);
  const bytes = await readFile(input);
  return { version: 1, name: input, source: { kind: 'bytes', base64: bytes.toString('base64') }, sha256: hashBytes(bytes), decoding, formats };
}

/**
 * Queues one transcription job per input file. The job id is the content's hash with the
 * options (jobIdFor), so an input already queued, running, done or failed under the same
 * content and options is skipped (a failed one is put back with retryFailed), and a rerun of
 * `queue add` queues only what is new.
 */
export async function enqueue(inputs: readonly string[], options: EnqueueOptions): Promise<EnqueueSummary> {
  const queueName = validateQueueName(options.queue);
  const decoding = jobDecoding(options.decoding);
  const formats = [...new Set(options.formats ?? [])];
  for (const f of formats) if (!(SUBTITLE_FORMATS as readonly string[]).includes(f)) throw new ConfigError(`formats may hold only ${SUBTITLE_FORMATS.join(', ')}, got ${JSON.stringify(f)}`, 'formats');
  const carry = options.carry ?? 'path';
  if (carry !== 'path' && carry !== 'bytes') throw new ConfigError(`carry must be "path" or "bytes", got ${JSON.stringify(carry)}`, 'carry');
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  if (!(Number.isInteger(attempts) && attempts >= 1 && attempts <= 100)) throw new ConfigError(`attempts must be an integer in 1..100, got ${String(attempts)}`, 'attempts');
  if (!(Number.isInteger(backoffMs) && backoffMs >= 0)) throw new ConfigError(`backoffMs must be an integer >= 0, got ${String(backoffMs)}`, 'backoffMs');
  const target = parseRedisUrl(options.redis);
  await checkRedis(options.redis);

  const queue = new Queue(queueName, { connection: redisOptions(target, false) });
  queue.on('error', () => undefined); // a failing command rejects its own promise below
  const queued: string[] = [];
  const skipped: string[] = [];
  const retried: string[] = [];
  const failed: LasError[] = [];
  try {
    for (const input of inputs) {
      let payload: JobPayload;
      try {
        payload = await payloadFor(input, carry, decoding, formats);
      } catch (err) {
        if (!(err instanceof LasError)) throw err;
        failed.push(err);
        continue;
      }
      const jobId = jobIdFor(payload.sha256, decoding, formats);
      const state = await queue.getJobState(jobId);
      if (state === 'failed' && options.retryFailed === true) {
        await (await queue.getJob(jobId))?.retry('failed');
        retried.push(jobId);
        continue;
      }
      if (state !== 'unknown') {
        skipped.push(jobId);
        continue;
      }
      await queue.add('transcribe', payload, { jobId, attempts, backoff: { type: 'exponential', delay: backoffMs } });
      queued.push(jobId);
    }
  } finally {
    await queue.close();
  }
  return { queued, skipped, retried, failed };
}
