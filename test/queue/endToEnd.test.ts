import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribeFiles } from '../../pipelines/transcribe-files.ts';
import { Queue } from 'bullmq';
import { formatTranscript, transcriptRecord, type TranscriptRecord } from '../../src/report/transcriptFormats.ts';
import { PERMANENT_CODES, queueResults, queueStatus } from '../../src/queue/index.ts';
import type { Item } from '../../src/util/item.ts';
import type { ScoredResult } from '../../src/report/results.ts';
import { runCli, TINY } from '../cli/runCli.ts';
import { sampleSpeech, writeBatch, type Batch } from './clips.ts';
import { startTestRedis, type TestRedis } from './redisServer.ts';
import { FINISHED, spawnWorker, stopWorker, waitForFinished, type WorkerProcess } from './workerProcess.ts';

/**
 * The end-to-end case: 200 short files, 10 % of them corrupt, two `las worker`
 * processes on one queue. Every good file's stored result must be the record `las transcribe
 * --format json` gives for it (timings aside: they are wall-clock), every corrupt one must fail
 * with the code las transcribe reports for it, after one attempt.
 */
const TOTAL = 200;
const BAD_EVERY = 10;
const DECODING = ['--beam', '2', '--ctc-weight', '0.3'] as const;

let redis: TestRedis;
let dir: string;
let batch: Batch;
let workers: WorkerProcess[] = [];
/** What las transcribe gives for each input, computed once in-process with the same pipeline. */
let expected: Map<string, Item<ScoredResult>>;

/** The record without its wall-clock fields, which differ between any two runs. */
const comparable = (r: TranscriptRecord) => {
  const { timing: _timing, rtf: _rtf, ...rest } = r;
  return rest;
};

beforeAll(async () => {
  redis = await startTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'las-queue-e2e-'));
  batch = writeBatch(join(dir, 'in'), await sampleSpeech(), TOTAL, BAD_EVERY);
  const items = await lastValueFrom(transcribeFiles([...batch.good, ...batch.bad], { model: TINY, decoding: { beam: 2, ctcWeight: 0.3 } }).pipe(toArray()));
  expected = new Map(items.map((item) => [item.id, item]));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w, 'SIGKILL')));
  await redis?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('las queue end to end (two worker processes, real Redis)', () => {
  it('stores a result equal to las transcribe for every good file, and fails every corrupt one with its code after one attempt', { timeout: 300_000 }, async () => {
    // Both workers are up before anything is queued, so the two share the batch from its start.
    workers = ['w1', 'w2'].map((name) => spawnWorker(['--redis', redis.url, '--model', TINY, '--input-root', join(dir, 'in'), '--name', name]));
    await Promise.all(workers.map((w) => w.waitForLine(/^las worker: w\d ready$/)));
    const added = await runCli(['queue', 'add', join(dir, 'in'), '--redis', redis.url, ...DECODING, '--subtitles', 'srt']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe(`queued ${TOTAL}, skipped 0 (already queued or done)\n`);
    expect(added.code).toBe(0);
    await waitForFinished(workers, TOTAL);

    const { results, failures } = await queueResults({ redis: redis.url });
    expect(results.map((r) => r.record.file).sort()).toEqual([...batch.good].sort());
    for (const r of results) {
      const want = expected.get(r.record.file)!;
      if (!want.ok) throw new Error(`las transcribe failed ${r.record.file} (${want.error.code}) but the queue transcribed it`);
      expect(comparable(r.record)).toEqual(comparable(transcriptRecord(r.record.file, want.value.result)));
      expect(r.srt).toBe(formatTranscript('srt', r.record.file, want.value.result));
      expect(r.attempt).toBe(1);
    }
    expect(failures.map((f) => f.record.file).sort()).toEqual([...batch.bad].sort());
    for (const f of failures) {
      const want = expected.get(f.record.file)!;
      if (want.ok) throw new Error(`las transcribe transcribed ${f.record.file} but the queue failed it (${f.record.error.code})`);
      expect(f.record.error.code).toBe(want.error.code);
      expect(PERMANENT_CODES.has(f.record.error.code)).toBe(true);
      expect(f.attempts).toBe(1);
    }
    // Each job was finished by one worker, once: no job done twice between the two processes.
    const finishedBy = workers.flatMap((w) => w.lines.map((l) => FINISHED.exec(l)).filter((m) => m !== null).map((m) => m[1] ?? m[2]));
    expect(finishedBy).toHaveLength(TOTAL);
    expect(new Set(finishedBy).size).toBe(TOTAL);

    // And through the commands themselves, for a good and a corrupt file: las transcribe prints what the queue stored.
    for (const file of [batch.good[0]!, batch.bad[1]!]) {
      const direct = await runCli(['transcribe', '--format', 'json', '--model', TINY, ...DECODING, file]);
      const printed = JSON.parse(direct.stdout) as TranscriptRecord & { error?: { code: string } };
      const stored = results.find((r) => r.record.file === file);
      if (stored !== undefined) expect(comparable(stored.record)).toEqual(comparable(printed));
      else expect(failures.find((f) => f.record.file === file)?.record.error.code).toBe(printed.error?.code);
    }
    const text = await runCli(['queue', 'status', '--redis', redis.url]);
    expect(text.stdout).toMatch(new RegExp(`^waiting 0, active 0, retrying 0, done ${TOTAL - TOTAL / BAD_EVERY}, failed ${TOTAL / BAD_EVERY}\n`));

    const status = await queueStatus({ redis: redis.url });
    const audioSeconds = results.reduce((s, r) => s + r.record.duration, 0);
    expect({ waiting: status.waiting, active: status.active, retrying: status.retrying, done: status.done, failed: status.failed }).toEqual({ waiting: 0, active: 0, retrying: 0, done: TOTAL - TOTAL / BAD_EVERY, failed: TOTAL / BAD_EVERY });
    expect(status.audioHoursDone * 3600).toBeCloseTo(audioSeconds, 6);
    expect(status.throughput?.audioHoursPerHour).toBeGreaterThan(0);
  });

  it('las queue results exports the JSONL of las transcribe (results and {file, error} failures) and subtitles into a folder', { timeout: 120_000 }, async () => {
    const json = await runCli(['queue', 'results', '--redis', redis.url]);
    expect(json.code).toBe(1); // some jobs failed, as las transcribe exits 1 when an input failed
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; text?: string; error?: { code: string } });
    expect(lines).toHaveLength(TOTAL);
    for (const line of lines) {
      const want = expected.get(line.file)!;
      if (want.ok) expect(line.text).toBe(want.value.result.text);
      else expect(line.error?.code).toBe(want.error.code);
    }
    // Subtitles are one document per input: several results need a folder.
    const mixed = await runCli(['queue', 'results', '--redis', redis.url, '--format', 'srt']);
    expect(mixed.code).toBe(2);
    expect(mixed.stdout).toBe('');
    const out = join(dir, 'srt');
    const srt = await runCli(['queue', 'results', '--redis', redis.url, '--format', 'srt', '--out-dir', out]);
    expect(srt.code).toBe(1);
    expect(srt.stderr.trim().split('\n')).toHaveLength(TOTAL / BAD_EVERY); // one line per failed job
    const files = readdirSync(out).sort();
    expect(files).toEqual(batch.good.map((p) => p.slice(p.lastIndexOf('/') + 1).replace(/\.wav$/, '.srt')).sort());
    const first = batch.good[0]!;
    const want = expected.get(first)!;
    if (!want.ok) throw new Error('unreachable');
    expect(readFileSync(join(out, files[0]!), 'utf8')).toBe(formatTranscript('srt', first, want.value.result));
  });

  it('SIGTERM stops the workers cleanly (exit 0)', { timeout: 60_000 }, async () => {
    for (const w of workers) {
      w.child.kill('SIGTERM');
      expect((await w.exit).code).toBe(0);
      expect(w.lines.at(-1)).toBe('las worker: stopped');
    }
  });
  it('queue add of the same inputs again queues nothing new, by path or by bytes; other options are another job', { timeout: 120_000 }, async () => {
    const queue = new Queue('las-transcribe', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const before = await queue.getJobCounts();
      const again = await runCli(['queue', 'add', join(dir, 'in'), '--redis', redis.url, ...DECODING, '--subtitles', 'srt']);
      expect(again.stdout).toBe(`queued 0, skipped ${TOTAL} (already queued or done)\n`);
      const bytes = await runCli(['queue', 'add', ...batch.good.slice(0, 5), '--bytes', '--redis', redis.url, ...DECODING, '--subtitles', 'srt']);
      expect(bytes.stdout).toBe('queued 0, skipped 5 (already queued or done)\n');
      expect(await queue.getJobCounts()).toEqual(before);
      // A failed job is skipped too, unless asked to be put back.
      const retry = await runCli(['queue', 'add', batch.bad[0]!, '--redis', redis.url, ...DECODING, '--subtitles', 'srt', '--retry-failed']);
      expect(retry.stdout).toBe('queued 0, skipped 0 (already queued or done), retried 1 failed\n');
      expect(await queue.getJobCounts('waiting', 'failed')).toMatchObject({ waiting: before.waiting! + 1, failed: before.failed! - 1 });
      // The same file asked for another way is new work.
      const other = await runCli(['queue', 'add', batch.good[0]!, '--redis', redis.url, '--beam', '1']);
      expect(other.stdout).toBe('queued 1, skipped 0 (already queued or done)\n');
      expect((await queue.getJobCounts()).waiting).toBe(before.waiting! + 2);
    } finally {
      await queue.close();
    }
  });

});
