import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../src/audio/index.ts';
import { enqueue, queueResults } from '../../src/queue/index.ts';
import { storeKeys } from '../../src/queue/names.ts';
import { TINY } from '../cli/runCli.ts';
import { sampleSpeech } from './clips.ts';
import { startTestRedis, type TestRedis } from './redisServer.ts';
import { spawnWorker, stopWorker, type WorkerProcess } from './workerProcess.ts';

/**
 * A worker killed with SIGKILL in the middle of a job loses nothing: its lock lapses, the other
 * worker's stalled check puts the job back and the other worker completes it, and the result
 * is written once. Locks are short here (8 s, checked every second) so the test does not wait
 * BullMQ's default 30 s; nothing is asserted about how long anything takes.
 */
const LOCKS = ['--lock-duration-ms', '8000', '--stalled-interval-ms', '1000'] as const;

let redis: TestRedis;
let dir: string;
let speech: Float32Array;
const started: WorkerProcess[] = [];

/** Minutes of speech (samples/ over and over), so a job lasts long enough to be interrupted. */
function longFile(name: string, repeats: number, reverse: boolean): string {
  const out = new Float32Array(speech.length * repeats);
  for (let r = 0; r < repeats; r++) out.set(reverse ? speech.slice().reverse() : speech, r * speech.length);
  const path = join(dir, name);
  writeFileSync(path, encodeWav16({ samples: out, sampleRate: 16000 }));
  return path;
}

const worker = (name: string, extra: readonly string[] = []) => {
  const w = spawnWorker(['--redis', redis.url, '--model', TINY, '--input-root', dir, '--name', name, ...LOCKS, ...extra]);
  started.push(w);
  return w;
};

/** The worker that logs `started` first, of several. */
const firstToStart = (workers: readonly WorkerProcess[]) => Promise.race(workers.map((w) => w.waitForLine(/^las worker: started /).then(() => w)));

beforeAll(async () => {
  redis = await startTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'las-queue-crash-'));
  speech = await sampleSpeech();
});

afterAll(async () => {
  await Promise.all(started.map((w) => stopWorker(w, 'SIGKILL')));
  await redis?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('las worker crash and shutdown', () => {
  it('a job whose worker is killed with SIGKILL mid-job completes on the other worker, and its result is written once', { timeout: 240_000 }, async () => {
    const path = longFile('long.wav', 4, false);
    const { queued } = await enqueue([path], { redis: redis.url, queue: 'crash', decoding: { beam: 4 } });
    expect(queued).toHaveLength(1);
    const [a, b] = [worker('a', ['--queue', 'crash']), worker('b', ['--queue', 'crash'])];
    const victim = await firstToStart([a, b]);
    const survivor = victim === a ? b : a;
    victim.child.kill('SIGKILL');
    expect((await victim.exit).signal).toBe('SIGKILL');

    const done = await survivor.waitForLine(/^las worker: done /);
    expect(done).not.toMatch(/already stored/);
    expect(victim.lines.some((l) => /^las worker: done /.test(l))).toBe(false);
    const { results, failures } = await queueResults({ redis: redis.url, queue: 'crash' });
    expect(failures).toEqual([]);
    expect(results.map((r) => [r.jobId, r.worker])).toEqual([[queued[0], survivor === a ? 'a' : 'b']]);
    const store = new Redis({ host: '127.0.0.1', port: redis.port });
    const queue = new Queue('crash', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      expect(await store.hlen(storeKeys('crash').results)).toBe(1);
      expect(await store.hget(storeKeys('crash').stats, 'results')).toBe('1');
      expect(await queue.getJobCounts('completed', 'failed', 'active', 'waiting')).toMatchObject({ completed: 1, failed: 0, active: 0, waiting: 0 });
    } finally {
      store.disconnect();
      await queue.close();
    }
    survivor.child.kill('SIGTERM');
    expect((await survivor.exit).code).toBe(0);
  });

  it('SIGTERM finishes the job in hand, stores its result, and takes no new one', { timeout: 240_000 }, async () => {
    const paths = [longFile('long-a.wav', 2, true), longFile('long-b.wav', 3, true)];
    const { queued } = await enqueue(paths, { redis: redis.url, queue: 'sigterm', decoding: { beam: 4 } });
    expect(queued).toHaveLength(2);
    const w = worker('c', ['--queue', 'sigterm']);
    await w.waitForLine(/^las worker: started /);
    w.child.kill('SIGTERM');
    expect((await w.exit).code).toBe(0);
    // What the worker did, in order: the word after 'las worker:' of each line about jobs or stopping.
    const log = w.lines.map((l) => l.split(' ')[2]).filter((word) => ['started', 'done', 'failed', 'SIGTERM:', 'stopped'].includes(word!));
    expect(log).toEqual(['started', 'SIGTERM:', 'done', 'stopped']);
    const { results } = await queueResults({ redis: redis.url, queue: 'sigterm' });
    expect(results).toHaveLength(1);
    const queue = new Queue('sigterm', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      expect(await queue.getJobCounts('completed', 'waiting', 'active')).toMatchObject({ completed: 1, waiting: 1, active: 0 });
    } finally {
      await queue.close();
    }
  });
});
