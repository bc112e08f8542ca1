import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../src/audio/index.ts';
import { LasError } from '../../src/errors.ts';
import { checkRedis, enqueue, hashFile, queueResults, startWorker, type JobPayload, type TranscriptionWorker, type WorkerEvent } from '../../src/queue/index.ts';
import { loadModel, transcribe, type LoadedModel } from '../../src/offline/transcribe.ts';
import { TINY } from '../cli/runCli.ts';
import { clip, sampleSpeech } from './clips.ts';
import { startTestRedis, type TestRedis } from './redisServer.ts';

/**
 * A Redis with a password, a worker with one input root, and jobs that try to read outside it,
 * carry bad data or bytes: what reaches the worker is checked like any other input.
 */
const PASSWORD = 'p@ss word:1';

let redis: TestRedis;
let dir: string;
let model: LoadedModel;
let worker: TranscriptionWorker | undefined;
const events: WorkerEvent[] = [];
const waiters: (() => void)[] = [];

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return err instanceof LasError ? err.code : String(err);
  }
};

/** Resolves when the worker has finished (done, or failed for good) every job in `ids`. */
const finished = (ids: readonly string[]) =>
  new Promise<void>((done) => {
    const check = () => {
      const over = new Set(events.flatMap((e) => (e.type === 'done' || (e.type === 'failed' && e.final) ? [e.jobId] : [])));
      if (ids.every((id) => over.has(id))) done();
      else waiters.push(check);
    };
    check();
  });

beforeAll(async () => {
  redis = await startTestRedis({ password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'las-queue-security-'));
  mkdirSync(join(dir, 'root'));
  const speech = await sampleSpeech();
  writeFileSync(join(dir, 'root', 'a.wav'), encodeWav16(clip(speech, 3)));
  writeFileSync(join(dir, 'root', 'b.wav'), encodeWav16(clip(speech, 5)));
  writeFileSync(join(dir, 'secret.wav'), encodeWav16(clip(speech, 7)));
  symlinkSync(join(dir, 'secret.wav'), join(dir, 'root', 'link.wav'));
  model = await loadModel(TINY);
});

afterAll(async () => {
  await worker?.close();
  await model?.dispose();
  await redis?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('queue security', () => {
  it('a Redis URL with the password works; a wrong or missing password is REDIS_AUTH; no server is REDIS_UNREACHABLE', async () => {
    expect(await codeOf(checkRedis(redis.url))).toBe('ok');
    expect(await codeOf(checkRedis(`redis://:wrong@127.0.0.1:${redis.port}`))).toBe('REDIS_AUTH');
    expect(await codeOf(checkRedis(`redis://127.0.0.1:${redis.port}`))).toBe('REDIS_AUTH');
    expect(await codeOf(enqueue([join(dir, 'root', 'a.wav')], { redis: `redis://:wrong@127.0.0.1:${redis.port}` }))).toBe('REDIS_AUTH');
    // A port nothing listens on: the one this server had before it is asked to stop is not safe, so use port 1.
    expect(await codeOf(checkRedis('redis://127.0.0.1:1'))).toBe('REDIS_UNREACHABLE');
  });

  it('refuses jobs that read outside the input roots, carry bad data or changed content, each after one attempt; a bytes job decodes as the file', { timeout: 120_000 }, async () => {
    worker = await startWorker({ redis: redis.url, model, inputRoots: [join(dir, 'root')], name: 'sec', onEvent: (e) => (events.push(e), waiters.splice(0).forEach((w) => w())) });
    const good = join(dir, 'root', 'a.wav');
    const base: JobPayload = { version: 1, name: 'a.wav', source: { kind: 'path', path: good }, sha256: await hashFile(good), decoding: { mode: 'global', beam: 4, ctcWeight: 0.3 }, formats: [] };
    const secretHash = await hashFile(join(dir, 'secret.wav'));
    const crafted: Record<string, unknown> = {
      traversal: { ...base, name: 'traversal', source: { kind: 'path', path: `${join(dir, 'root')}/../secret.wav` }, sha256: secretHash },
      absolute: { ...base, name: 'absolute', source: { kind: 'path', path: '/etc/passwd' } },
      link: { ...base, name: 'link', source: { kind: 'path', path: join(dir, 'root', 'link.wav') }, sha256: secretHash },
      extraField: { ...base, name: 'extra', shell: 'rm -rf /' },
      changed: { ...base, name: 'changed', sha256: 'f'.repeat(64) },
    };
    const queue = new Queue('las-transcribe', { connection: { host: '127.0.0.1', port: redis.port, password: PASSWORD } });
    try {
      for (const [id, data] of Object.entries(crafted)) await queue.add('transcribe', data, { jobId: `x-${id}`, attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    } finally {
      await queue.close();
    }
    const bytes = await enqueue([join(dir, 'root', 'b.wav')], { redis: redis.url, carry: 'bytes' });
    expect(bytes.queued).toHaveLength(1);
    await finished([...Object.keys(crafted).map((id) => `x-${id}`), bytes.queued[0]!]);

    const { results, failures } = await queueResults({ redis: redis.url });
    expect(Object.fromEntries(failures.map((f) => [f.jobId, [f.record.error.code, f.attempts]]))).toEqual({
      'x-traversal': ['PATH_OUTSIDE_ROOTS', 1],
      'x-absolute': ['PATH_OUTSIDE_ROOTS', 1],
      'x-link': ['PATH_OUTSIDE_ROOTS', 1],
      'x-extraField': ['BAD_JOB', 1],
      'x-changed': ['INPUT_CHANGED', 1],
    });
    // Nothing of the secret file was decoded: no job read it.
    expect(events.filter((e) => e.type === 'done').map((e) => (e as { name: string }).name)).toEqual([join(dir, 'root', 'b.wav')]);
    const direct = await transcribe(join(dir, 'root', 'b.wav'), { model });
    expect(results.map((r) => [r.record.file, r.record.text])).toEqual([[join(dir, 'root', 'b.wav'), direct.text]]);
  });

  it('a transient failure (the file away for a moment on shared storage) is retried with backoff and then succeeds', { timeout: 120_000 }, async () => {
    const path = join(dir, 'root', 'flaky.wav');
    writeFileSync(path, encodeWav16(clip(await sampleSpeech(), 13)));
    await worker!.pause();
    const { queued } = await enqueue([path], { redis: redis.url }); // default backoff: 1 s before the second try
    expect(queued).toHaveLength(1);
    // Away before the worker looks (it is paused until then), back once the first try has failed.
    renameSync(path, `${path}.away`);
    const firstTry = new Promise<WorkerEvent>((done) => {
      const look = () => {
        const e = events.find((x) => x.type === 'failed' && x.jobId === queued[0]);
        if (e !== undefined) done(e);
        else waiters.push(look);
      };
      look();
    });
    worker!.resume();
    const failure = await firstTry;
    expect(failure).toMatchObject({ type: 'failed', code: 'READ_FAILED', final: false });
    renameSync(`${path}.away`, path);
    await finished(queued);
    const { results } = await queueResults({ redis: redis.url });
    const stored = results.find((r) => r.jobId === queued[0]);
    expect(stored?.attempt).toBe(2);
    expect(stored?.record.text).toBe((await transcribe(path, { model })).text);
  });

  it('a bytes job over the size limit is refused when queued (PAYLOAD_TOO_LARGE), nothing queued', async () => {
    const big = join(dir, 'root', 'big.wav');
    const rate = 16000;
    writeFileSync(big, encodeWav16({ samples: new Float32Array(5 * 60 * rate).fill(0.01), sampleRate: rate })); // 9.6 MB
    const summary = await enqueue([big], { redis: redis.url, carry: 'bytes' });
    expect(summary.queued).toEqual([]);
    expect(summary.failed.map((e) => e.code)).toEqual(['PAYLOAD_TOO_LARGE']);
  });
});
