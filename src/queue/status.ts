import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { checkRedis, parseRedisUrl, redisOptions } from './connection.ts';
import { validateQueueName, type QueueTarget } from './names.ts';
import { readTotals } from './resultStore.ts';

export interface QueueStatus {
  /** Jobs not started yet. */
  readonly waiting: number;
  /** Jobs a worker holds now. */
  readonly active: number;
  /** Jobs waiting out a backoff before their next try. */
  readonly retrying: number;
  readonly done: number;
  readonly failed: number;
  /** Audio decoded into stored results. */
  readonly audioHoursDone: number;
  /** From the first job's start to the last result: audio hours per wall-clock hour, and files per hour; absent before any result. */
  readonly throughput?: { readonly audioHoursPerHour: number; readonly filesPerHour: number; readonly wallSeconds: number };
}

export interface OpenQueue {
  readonly queue: Queue;
  readonly store: Redis;
  readonly name: string;
  close(): Promise<void>;
}

/** The queue and its result store, connected (an unusable Redis is a typed error here); close() when done. */
export async function openQueue(target: QueueTarget): Promise<OpenQueue> {
  const name = validateQueueName(target.queue);
  const redis = parseRedisUrl(target.redis);
  await checkRedis(target.redis);
  const queue = new Queue(name, { connection: redisOptions(redis, false) });
  queue.on('error', () => undefined); // a failing command rejects its own promise
  const store = new Redis(redisOptions(redis, false));
  store.on('error', () => undefined);
  return {
    queue,
    store,
    name,
    async close() {
      store.disconnect();
      await queue.close();
    },
  };
}

/** Opens the queue and the store for one call and closes both, whatever happens. */
export async function withQueue<T>(target: QueueTarget, body: (queue: Queue, store: Redis, name: string) => Promise<T>): Promise<T> {
  const open = await openQueue(target);
  try {
    return await body(open.queue, open.store, open.name);
  } finally {
    await open.close();
  }
}

/** Counts by state, audio done and throughput: what `las queue status` prints. */
export function queueStatus(target: QueueTarget): Promise<QueueStatus> {
  return withQueue(target, async (queue, store, name) => {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    const totals = await readTotals(store, name);
    const wallSeconds = totals.firstStartedAt !== undefined && totals.lastFinishedAt !== undefined ? (totals.lastFinishedAt - totals.firstStartedAt) / 1000 : 0;
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      retrying: counts.delayed ?? 0,
      done: counts.completed ?? 0,
      failed: counts.failed ?? 0,
      audioHoursDone: totals.audioSeconds / 3600,
      ...(wallSeconds > 0 ? { throughput: { audioHoursPerHour: totals.audioSeconds / wallSeconds, filesPerHour: (totals.results * 3600) / wallSeconds, wallSeconds } } : {}),
    };
  });
}
