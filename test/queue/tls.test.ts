import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../src/audio/index.ts';
import { LasError } from '../../src/errors.ts';
import { transcribe } from '../../src/offline/transcribe.ts';
import { checkRedis } from '../../src/queue/index.ts';
import { ROOT, TINY, type CliRun } from '../cli/runCli.ts';
import { clip, sampleSpeech } from './clips.ts';
import { startTestRedis, type TestRedis } from './redisServer.ts';
import { spawnWorker, stopWorker, type WorkerProcess } from './workerProcess.ts';

/**
 * Redis over TLS only, with a password, and a certificate from a CA of the test's own: the CLI
 * reaches it with a rediss:// URL from LAS_REDIS_URL (no password on the command line) and the
 * CA from Node's NODE_EXTRA_CA_CERTS; without the CA the certificate is refused.
 */
let redis: TestRedis;
let dir: string;
let worker: WorkerProcess | undefined;

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function las(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/las.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'las-queue-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=las test CA');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  redis = await startTestRedis({ password: 'tls secret', tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') } });
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in', 'a.wav'), encodeWav16(clip(await sampleSpeech(), 11)));
});

afterAll(async () => {
  await stopWorker(worker, 'SIGKILL');
  await redis?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('Redis over TLS with a password', () => {
  it('an unknown certificate is refused (REDIS_UNREACHABLE), not connected to', async () => {
    expect(redis.url.startsWith('rediss://')).toBe(true);
    const err = await checkRedis(redis.url).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LasError);
    expect((err as LasError).code).toBe('REDIS_UNREACHABLE');
    expect((err as LasError).message).not.toContain('tls secret');
  });

  it('queue add, worker and results work through rediss:// with the CA', { timeout: 180_000 }, async () => {
    const env = { LAS_REDIS_URL: redis.url, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
    const input = join(dir, 'in', 'a.wav');
    const added = await las(['queue', 'add', input], env);
    expect(added.stdout).toBe('queued 1, skipped 0 (already queued or done)\n');
    worker = spawnWorker(['--model', TINY, '--input-root', join(dir, 'in'), '--name', 'tls'], env);
    expect(await worker.waitForLine(/^las worker: (done|failed) /)).toMatch(/^las worker: done /);
    const results = await las(['queue', 'results'], env);
    expect(results.code).toBe(0);
    const record = JSON.parse(results.stdout) as { file: string; text: string };
    expect(record.file).toBe(input);
    expect(record.text).toBe((await transcribe(input, { model: TINY })).text);
  });
});
