import { LasError } from '../errors.ts';
import { failureRecord, type FailureRecord } from '../report/transcriptFormats.ts';
import { codeOfReason } from './processJob.ts';
import { readResults, type StoredResult } from './resultStore.ts';
import { withQueue } from './status.ts';
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

/** Every stored result and every failed job, each list in a stable order (by input name, then job id). */
export function queueResults(target: QueueTarget): Promise<QueueResults> {
  return withQueue(target, async (queue, store, name) => {
    const results: StoredResult[] = [];
    for await (const r of readResults(store, name)) results.push(r);
    const failures: FailedJob[] = [];
    for (let start = 0; ; start += PAGE) {
      const page = await queue.getFailed(start, start + PAGE - 1);
      for (const job of page) {
        const reason = job.failedReason ?? '';
        const code = codeOfReason(reason);
        const file = typeof job.data?.name === 'string' ? (job.data.name as string) : job.id!;
        failures.push({ jobId: job.id!, record: failureRecord(file, new LasError(code, reason.startsWith(`${code}: `) ? reason.slice(code.length + 2) : reason)), attempts: job.attemptsMade });
      }
      if (page.length < PAGE) break;
    }
    const byName = (a: { name: string; id: string }, b: { name: string; id: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    results.sort((a, b) => byName({ name: a.record.file, id: a.jobId }, { name: b.record.file, id: b.jobId }));
    failures.sort((a, b) => byName({ name: a.record.file, id: a.jobId }, { name: b.record.file, id: b.jobId }));
    return { results, failures };
  });
}
