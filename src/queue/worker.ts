import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError, LasError } from '../errors.ts';
import { loadModel, type LoadedModel, type SessionOptions } from '../offline/transcribe.ts';
import { checkRedis, parseRedisUrl, redisOptions } from './connection.ts';
import { resolveInputRoots } from './inputRoots.ts';
import { validateQueueName, type QueueTarget } from './names.ts';
import { codeOf, isPermanent, processJob } from './processJob.ts';
import { markStarted, storeResult } from './resultStore.ts';

export interface WorkerOptions extends QueueTarget {
  /** A loaded model (left open on close) or a bundle directory (loaded once, released on close). */
  readonly model: LoadedModel | string;
  readonly sessionOptions?: Partial<SessionOptions>;
  /** Jobs decoded at once in this process, sharing the one model. Default 1. */
  readonly concurrency?: number;
  /** Folders path jobs may read from (links resolved). None: bytes jobs only. */
  readonly inputRoots?: readonly string[];
  /** Names this worker in results and logs. Default `host:pid`. */
  readonly name?: string;
  /**
   * How long a job's lock lasts without renewal (the worker renews it every half of this while it
   * decodes). A worker that dies leaves its job locked this long before another takes it. Default 30 000 ms.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. Default 30 000 ms. */
  readonly stalledIntervalMs?: number;
  /** How many times a job may be taken back from a dead worker before it fails (STALLED). Default 1. */
  readonly maxStalledCount?: number;
  /** What the worker does, one event at a time (the CLI prints them on stderr). */
  readonly onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { readonly type: 'ready'; readonly worker: string }
  | { readonly type: 'started'; readonly jobId: string; readonly name: string; readonly attempt: number }
  | { readonly type: 'done'; readonly jobId: string; readonly name: string; readonly audioSeconds: number; readonly stored: boolean }
  | { readonly type: 'failed'; readonly jobId: string; readonly name: string; readonly code: string; readonly message: string; readonly final: boolean }
  | { readonly type: 'error'; readonly message: string };

export interface TranscriptionWorker {
  readonly name: string;
  /** Takes no new job until resume(); resolves once the jobs in hand are finished. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops taking jobs, lets the ones in hand finish and store their results, then disconnects. */
  close(): Promise<void>;
}

const int = (name: string, value: number | undefined, fallback: number, min: number): number => {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= min)) throw new ConfigError(`${name} must be an integer >= ${min}, got ${String(value)}`, name);
  return v;
};

/** What the processor returns for a job, and what BullMQ's 'completed' event hands back. */
interface JobOutcome {
  readonly audioSeconds: number;
  readonly stored: boolean;
}

/**
 * Loads the model once and takes transcription jobs from the queue until closed. A permanent
 * input error (PERMANENT_CODES) fails its job at once with its code; anything else is retried
 * with the backoff the job was queued with. A worker that dies mid-job loses nothing: its lock
 * lapses and another worker's stalled check puts the job back (BullMQ), and the result store
 * keeps the first result written for a job.
 */
export async function startWorker(options: WorkerOptions): Promise<TranscriptionWorker> {
  const queue = validateQueueName(options.queue);
  const concurrency = int('concurrency', options.concurrency, 1, 1);
  const lockDuration = int('lockDurationMs', options.lockDurationMs, 30_000, 1000);
  const stalledInterval = int('stalledIntervalMs', options.stalledIntervalMs, 30_000, 100);
  const maxStalledCount = int('maxStalledCount', options.maxStalledCount, 1, 0);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const emit = options.onEvent ?? (() => undefined);
  const target = parseRedisUrl(options.redis);
  const inputRoots = await resolveInputRoots(options.inputRoots ?? []);
  await checkRedis(options.redis);

  const owned = typeof options.model === 'string';
  const model = typeof options.model === 'string' ? await loadModel(options.model, options.sessionOptions) : options.model;
  const store = new Redis(redisOptions(target, true));
  store.on('error', (err: Error) => emit({ type: 'error', message: `result store: ${err.message}` }));

  const labelOf = (job: Job) => (typeof job.data?.name === 'string' ? (job.data.name as string) : job.id!);
  const processor = async (job: Job): Promise<JobOutcome> => {
    const jobId = job.id!;
    const attempt = job.attemptsMade + 1;
    const label = labelOf(job);
    emit({ type: 'started', jobId, name: label, attempt });
    try {
      await markStarted(store, queue, Date.now());
      const result = await processJob(job.data, jobId, attempt, { model, inputRoots, worker: name });
      const stored = await storeResult(store, queue, result);
      return { audioSeconds: result.record.duration, stored };
    } catch (err) {
      const code = codeOf(err);
      const message = err instanceof Error ? err.message : String(err);
      const permanent = isPermanent(err);
      emit({ type: 'failed', jobId, name: label, code, message, final: permanent || attempt >= (job.opts.attempts ?? 1) });
      // The code leads the reason, so `queue results` can list it (codeOfReason).
      if (permanent) throw new UnrecoverableError(`${code}: ${message}`);
      throw new Error(`${code}: ${message}`, { cause: err instanceof LasError ? undefined : err });
    }
  };

  const worker = new Worker(queue, processor, {
    connection: redisOptions(target, true),
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    name,
  });
  worker.on('error', (err) => emit({ type: 'error', message: err.message }));
  // 'done' once BullMQ has moved the job to completed, so whoever reads it (a log, a test, `queue
  // status`) finds the job completed in Redis; from inside the processor it came a moment early
  worker.on('completed', (job: Job, outcome: JobOutcome) =>
    emit({ type: 'done', jobId: job.id!, name: labelOf(job), audioSeconds: outcome.audioSeconds, stored: outcome.stored }));
  await worker.waitUntilReady();
  emit({ type: 'ready', worker: name });

  let closing: Promise<void> | undefined;
  return {
    name,
    pause: () => worker.pause(),
    resume: () => worker.resume(),
    close() {
      closing ??= (async () => {
        await worker.close(); // waits for the jobs in hand
        store.disconnect();
        if (owned) await model.dispose();
      })();
      return closing;
    },
  };
}
