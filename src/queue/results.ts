import type { Job } from 'bullmq';
import { LasError } from '../errors.ts';
import { failureRecord, type FailureRecord } from '../report/transcriptFormats.ts';
import { codeOfReason } from './processJob.ts';
import { readResults, type StoredResult } from './resultStore.ts';
import { openQueue } from './status.ts';
import type { QueueTarget } from './names.ts';

export interface FailedJob {
  readonly jobId: string;
  /** The same `{file, error: {code, message}}` record `las transcribe --format json` prints for a failure. */
  readonly record: FailureRecord;
  /** How many times a worker ran it. */
  readonly attempts: number;
}

export interface QueueResults {
  readonly results: readonly StoredResult[];
  readonly failures: readonly FailedJob[];
}

const PAGE = 500;

function failedJob(job: Job): FailedJob {
  const reason = job.failedReason ?? '';
  const code = codeOfReason(reason);
  const file = typeof job.data?.name === 'string' ? (job.data.name as string) : job.id!;
  return { jobId: job.id!, record: failureRecord(file, new LasError(code, reason.startsWith(`${code}: `) ? reason.slice(code.length + 2) : reason)), attempts: job.attemptsMade };
}

/**
 * Every stored result, then every failed job, a page at a time, in the store's order: what
 * `las queue results` writes out, so an archive's results are never all in memory at once.
 */
export async function* iterateResults(target: QueueTarget): AsyncGenerator<{ readonly result: StoredResult } | { readonly failure: FailedJob }> {
  const { queue, store, name, close } = await openQueue(target);
  try {
    for await (const result of readResults(store, name)) yield { result };
    for (let start = 0; ; start += PAGE) {
      const page = await queue.getFailed(start, start + PAGE - 1);
      for (const job of page) yield { failure: failedJob(job) };
      if (page.length < PAGE) break;
    }
  } finally {
    await close();
  }
}

const byFileThenId = (a: { file: string; id: string }, b: { file: string; id: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Every stored result and every failed job, each list sorted by input name, then job id. */
export async function queueResults(target: QueueTarget): Promise<QueueResults> {
  const results: StoredResult[] = [];
  const failures: FailedJob[] = [];
  for await (const item of iterateResults(target)) {
    if ('result' in item) results.push(item.result);
    else failures.push(item.failure);
  }
  results.sort((a, b) => byFileThenId({ file: a.record.file, id: a.jobId }, { file: b.record.file, id: b.jobId }));
  failures.sort((a, b) => byFileThenId({ file: a.record.file, id: a.jobId }, { file: b.record.file, id: b.jobId }));
  return { results, failures };
}
