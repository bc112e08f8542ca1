import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { encodeWav16 } from '../src/audio/index.ts';
import { startTestRedis, type TestRedis } from '../test/queue/redisServer.ts';
import { spawnWorker, waitForFinished } from '../test/queue/workerProcess.ts';
import { benchModelDir, loadSamples, type Row } from './transcribe.ts';

/**
 * The queue's throughput against one `las transcribe` process on the same files: audio hours
 * per wall-clock hour for `las transcribe --jobs 1` and `--jobs 2`, and for 1 and 2 `las
 * worker` processes on a redis-server of its own, each timed from the process start to the last
 * result (start-up and model load included on both sides). The ratio worker/transcribe is the
 * queue's overhead (below 1: the queue is slower). Also Redis commands and memory per job, the
 * figures that bound how many machines one Redis can feed (README "Many machines").
 * LAS_QUEUE_BENCH_FILES sets the number of files (default 105: the short samples at 15 gains,
 * about 4 minutes of audio). Each case runs REPEATS times, in turn with the others, and keeps its
 * fastest run: the machine is shared, and the slow runs are the ones another process disturbed.
 */
const REPEATS = 2;
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/las.js');

function run(args: readonly string[]): Promise<number> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(performance.now() - start) : fail(new Error(`las ${args[0]} exited with ${code}: ${err.slice(-500)}`))));
  });
}

const commandsProcessed = async (client: Redis) => Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))![1]);
const usedMemory = async (client: Redis) => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);

/** Queue `files` and run `workers` worker processes until every job is done: wall ms from the workers' start, commands and bytes per job. */
async function queueRun(redis: TestRedis, files: readonly string[], dir: string, model: string, workers: number, queue: string) {
  const client = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    const memory0 = await usedMemory(client);
    const addMs = await run(['queue', 'add', ...files, '--redis', redis.url, '--queue', queue]);
    const memoryPerJob = ((await usedMemory(client)) - memory0) / files.length;
    const commands0 = await commandsProcessed(client);
    const start = performance.now();
    const procs = Array.from({ length: workers }, (_, k) => spawnWorker(['--redis', redis.url, '--queue', queue, '--model', model, '--input-root', dir, '--name', `bench-${k}`]));
    await waitForFinished(procs, files.length);
    const wallMs = performance.now() - start;
    // Idle workers poll Redis too; counted up to the last result only, with the INFO calls themselves subtracted.
    const commandsPerJob = ((await commandsProcessed(client)) - commands0 - 1) / files.length;
    await Promise.all(procs.map((p) => (p.child.kill('SIGTERM'), p.exit)));
    return { wallMs, addMs, commandsPerJob, memoryPerJob };
  } finally {
    client.disconnect();
  }
}

export async function benchQueue(): Promise<Row[]> {
  const { dir: model, trained } = benchModelDir();
  console.log(`queue bench: model ${model}${trained ? '' : ' (random weights: the trained bundle is missing)'}`);
  const count = Number(process.env.LAS_QUEUE_BENCH_FILES ?? 105);
  const samples = (await loadSamples()).filter((s) => s.audio.samples.length < 16000 * 10); // the short clips
  const dir = mkdtempSync(join(tmpdir(), 'las-queue-bench-'));
  const files: string[] = [];
  let audioSeconds = 0;
  for (let k = 0; k < count; k++) {
    const s = samples[k % samples.length]!;
    const gain = 1 - 0.1 * Math.floor(k / samples.length); // another gain, other bytes: not one job
    const path = join(dir, `clip-${k}.wav`);
    writeFileSync(path, encodeWav16({ samples: s.audio.samples.map((x) => x * gain), sampleRate: s.audio.sampleRate }));
    files.push(path);
    audioSeconds += s.audio.samples.length / s.audio.sampleRate;
  }
  const perHour = (ms: number) => audioSeconds / (ms / 1000); // audio hours per wall-clock hour
  const round = (x: number, digits = 4) => Number(x.toPrecision(digits));
  const redis = await startTestRedis();
  try {
    const best = <T extends { wallMs: number }>(runs: T[]) => runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const cases = { transcribe1: [] as { wallMs: number }[], transcribe2: [] as { wallMs: number }[], worker1: [] as Awaited<ReturnType<typeof queueRun>>[], worker2: [] as Awaited<ReturnType<typeof queueRun>>[] };
    for (let r = 0; r < REPEATS; r++) {
      cases.transcribe1.push({ wallMs: await run(['transcribe', '--format', 'json', '--jobs', '1', '--model', model, ...files]) });
      cases.transcribe2.push({ wallMs: await run(['transcribe', '--format', 'json', '--jobs', '2', '--model', model, ...files]) });
      cases.worker1.push(await queueRun(redis, files, dir, model, 1, `bench1-${r}`));
      cases.worker2.push(await queueRun(redis, files, dir, model, 2, `bench2-${r}`));
    }
    const transcribe1 = best(cases.transcribe1).wallMs;
    const transcribe2 = best(cases.transcribe2).wallMs;
    const worker1 = best(cases.worker1);
    const worker2 = best(cases.worker2);
    const tag = `${count} files, ${round(audioSeconds, 3)} s of audio`;
    return [
      { name: `las transcribe --jobs 1 (${tag})`, value: round(perHour(transcribe1)), unit: 'audio h/h' },
      { name: `las transcribe --jobs 2 (${tag})`, value: round(perHour(transcribe2)), unit: 'audio h/h' },
      { name: `1 las worker (${tag})`, value: round(perHour(worker1.wallMs)), unit: 'audio h/h' },
      { name: `2 las worker processes (${tag})`, value: round(perHour(worker2.wallMs)), unit: 'audio h/h' },
      { name: '1 worker / transcribe --jobs 1', value: round(transcribe1 / worker1.wallMs, 3), unit: 'x' },
      { name: '2 workers / transcribe --jobs 2', value: round(transcribe2 / worker2.wallMs, 3), unit: 'x' },
      { name: 'Redis commands per job (2 workers, idle polling included)', value: round(worker2.commandsPerJob, 3), unit: 'commands' },
      { name: 'Redis memory per queued path job', value: round(worker1.memoryPerJob, 3), unit: 'bytes' },
      { name: `las queue add of ${count} files (one process, start-up included)`, value: round(worker1.addMs / 1000, 3), unit: 's' },
    ];
  } finally {
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) for (const row of await benchQueue()) console.log(`${row.name}: ${row.value} ${row.unit}`);
