import type { Redis } from 'ioredis';
import type { TranscriptRecord } from '../report/transcriptFormats.ts';
import { storeKeys } from './names.ts';

/** One job's result in the store (a Redis hash field per job id, holding this as JSON). */
export interface StoredResult {
  readonly jobId: string;
  /** The same record `las transcribe --format json` prints for the input. */
  readonly record: TranscriptRecord;
  readonly srt?: string;
  readonly vtt?: string;
  /** The worker that wrote it (its --name, default host:pid). */
  readonly worker: string;
  /** BullMQ's attempt number (1 for the first try). */
  readonly attempt: number;
  readonly finishedAt: number;
}

/**
 * Writes the result only if the job has none yet, and adds its audio to the totals in the same
 * step (a Lua script runs atomically), so a job that was run twice (a worker taken for stalled
 * while it was still alive) is stored and counted once. Returns 1 when written, 0 when another
 * run's result was already there.
 *
 * The same write can reach Redis twice: when the connection drops after Redis ran the script but
 * before its reply arrived, ioredis sends the command again once it has reconnected
 * (autoResendUnfulfilledCommands). The second run finds the very value it would write, the same
 * bytes (each result names its attempt, worker and finish time), and says 1 again without
 * counting anything: this run's result is stored, once.
 */
const STORE_ONCE = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBYFLOAT', KEYS[2], 'audioSeconds', ARGV[3])
  redis.call('HINCRBY', KEYS[2], 'results', 1)
  local last = tonumber(redis.call('HGET', KEYS[2], 'lastFinishedAt') or '0')
  if tonumber(ARGV[4]) > last then redis.call('HSET', KEYS[2], 'lastFinishedAt', ARGV[4]) end
  return 1
end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 1 end
return 0`;

export async function storeResult(client: Redis, queue: string, result: StoredResult): Promise<boolean> {
  const keys = storeKeys(queue);
  const written = await client.eval(STORE_ONCE, 2, keys.results, keys.stats, result.jobId, JSON.stringify(result), String(result.record.duration), String(result.finishedAt));
  return written === 1;
}

/** Notes when the first job of the queue started (the start of the throughput clock). */
export async function markStarted(client: Redis, queue: string, at: number): Promise<void> {
  await client.hsetnx(storeKeys(queue).stats, 'firstStartedAt', String(at));
}

export async function readResult(client: Redis, queue: string, jobId: string): Promise<StoredResult | undefined> {
  const text = await client.hget(storeKeys(queue).results, jobId);
  return text === null ? undefined : (JSON.parse(text) as StoredResult);
}

/** Every stored result, a page of the hash at a time (HSCAN), so a large store is never read at once. */
export async function* readResults(client: Redis, queue: string): AsyncGenerator<StoredResult> {
  let cursor = '0';
  do {
    const [next, flat] = await client.hscan(storeKeys(queue).results, cursor, 'COUNT', 200);
    for (let i = 1; i < flat.length; i += 2) yield JSON.parse(flat[i]!) as StoredResult;
    cursor = next;
  } while (cursor !== '0');
}

export interface StoreTotals {
  readonly results: number;
  readonly audioSeconds: number;
  readonly firstStartedAt?: number;
  readonly lastFinishedAt?: number;
}

export async function readTotals(client: Redis, queue: string): Promise<StoreTotals> {
  const h = await client.hgetall(storeKeys(queue).stats);
  const num = (k: string) => (h[k] === undefined ? undefined : Number(h[k]));
  return {
    results: num('results') ?? 0,
    audioSeconds: num('audioSeconds') ?? 0,
    ...(h.firstStartedAt === undefined ? {} : { firstStartedAt: num('firstStartedAt')! }),
    ...(h.lastFinishedAt === undefined ? {} : { lastFinishedAt: num('lastFinishedAt')! }),
  };
}
