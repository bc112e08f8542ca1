import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../src/audio/index.ts';
import { enqueue, queueResults } from '../../src/queue/index.ts';
import { TINY } from '../cli/runCli.ts';
import { sampleSpeech } from './clips.ts';
import { startTestRedis, type TestRedis } from './redisServer.ts';
import { spawnWorker, stopWorker, waitForFinished, type WorkerProcess } from './workerProcess.ts';

/**
 * Redis restarted in the middle of a run, with persistence on (appendonly): the jobs queued
 * before are still there when it is back, the worker reconnects by itself, and the run
 * completes with every result stored once.
 */
const FILES = 40;
const SECONDS = 5;

let redis: TestRedis;
let dir: string;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: true });
  dir = mkdtempSync(join(tmpdir(), 'las-queue-restart-'));
  mkdirSync(join(dir, 'in'));
  const speech = await sampleSpeech();
  const rate = 16000;
  for (let k = 0; k < FILES; k++) {
    const start = (k * rate) % (speech.length - SECONDS * rate);
    writeFileSync(join(dir, 'in', `long-${k}.wav`), encodeWav16({ samples: speech.slice(start, start + SECONDS * rate), sampleRate: rate }));
  }
});

afterAll(async () => {
  await stopWorker(worker, 'SIGKILL');
  await redis?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('Redis restart mid-run', () => {
  it('the run completes after Redis comes back, every result stored once', { timeout: 240_000 }, async () => {
    const inputs = Array.from({ length: FILES }, (_, k) => join(dir, 'in', `long-${k}.wav`));
    const { queued } = await enqueue(inputs, { redis: redis.url, decoding: { beam: 4 } });
    expect(queued).toHaveLength(FILES);
    worker = spawnWorker(['--redis', redis.url, '--model', TINY, '--input-root', join(dir, 'in'), '--name', 'r1']);
    await worker.waitForLine(/^las worker: done /);
    await redis.restart();
    const doneBeforeRestart = worker.lines.filter((l) => /^las worker: done /.test(l)).length;
    expect(doneBeforeRestart).toBeLessThan(FILES); // the restart really fell mid-run

    // Persistence: every job queued before the restart is still in Redis after it.
    const queue = new Queue('las-transcribe', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(FILES);
      await waitForFinished([worker], FILES);
      expect(await queue.getJobCounts('completed', 'failed')).toMatchObject({ completed: FILES, failed: 0 });
    } finally {
      await queue.close();
    }
    const { results, failures } = await queueResults({ redis: redis.url });
    expect(failures).toEqual([]);
    expect(results.map((r) => r.record.file).sort()).toEqual([...inputs].sort());
    expect(worker.lines.filter((l) => /already stored/.test(l))).toEqual([]);
    worker.child.kill('SIGTERM');
    expect((await worker.exit).code).toBe(0);
  });
});
