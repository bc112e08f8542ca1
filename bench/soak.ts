import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { tunedExecArgv, tunedServeEnv } from '../bin/serveTuning.js';
import { resample } from '../src/audio/resample.ts';
import { quietRoom } from './quietRoom.ts';
import { benchModelDir, loadSamples, type Row } from './transcribe.ts';

/**
 * Soak (issue 11): one long stream through `las serve`'s path, a WebSocket client sending
 * 48 kHz Float32 PCM in 100 ms frames, as the page does, to a server in its own process
 * (bench/soakServer.mjs), so the RSS sampled is the server's alone, running the package as
 * compiled by scripts/build.mjs (into a scratch folder under tmp/), as `las serve` runs it. The
 * audio is the short clips of samples/ over and over, 1.5 s of quiet-room noise after each.
 *
 * The client sends faster than real time, as fast as the server recognises: the protocol
 * allows it as long as no more than maxQueuedSeconds (10 s) wait, so the client keeps at most
 * AHEAD_SECONDS beyond the audio time of the last event the server sent back. RSS,
 * heapUsed, external and arrayBuffers are sampled once per simulated minute, when the server's
 * events reach it. LAS_BENCH_SOAK_MINUTES sets the length (default 60).
 *
 * Verdict, from the issue: RSS flat within 10 MB after warm-up (the first WARMUP_MINUTES) and
 * at most 150 MB. MB here is 10^6 bytes. Run twice: as `las serve` runs its server (in a child
 * with the memory settings of bin/serveTuning.js), and as LAS_SERVE_NO_TUNING=1 does (node's and
 * glibc's defaults).
 */
const ROOT = resolve(import.meta.dirname, '..');
const RATE = 16_000;
const CLIENT_RATE = 48_000;
const FRAME = CLIENT_RATE / 10; // 100 ms
const GAP_SECONDS = 1.5;
const AHEAD_SECONDS = 5;
const STALL_MS = 120_000;
const WARMUP_MINUTES = 2;
const FLAT_MB = 10;
const MAX_MB = 150;
const MB = 1e6;

type Memory = NodeJS.MemoryUsage;
interface Sampled {
  readonly minute: number;
  readonly memory: Memory;
}
export interface SoakResult {
  readonly minutes: number;
  readonly wallSeconds: number;
  readonly start: Memory; // model loaded, before any stream
  readonly samples: readonly Sampled[];
  readonly finals: number;
}

/** The clips of samples/ under 10 s, each followed by a gap, at the client's rate. */
async function loop(): Promise<Float32Array> {
  const clips = (await loadSamples()).filter((s) => s.audio.samples.length < 10 * RATE);
  const gap = Math.round(GAP_SECONDS * RATE);
  const total = clips.reduce((n, c) => n + c.audio.samples.length + gap, 0);
  const out = quietRoom(total, 11);
  let at = 0;
  for (const c of clips) {
    out.set(c.audio.samples, at);
    at += c.audio.samples.length + gap;
  }
  return resample({ samples: out, sampleRate: RATE }, CLIENT_RATE).samples;
}

/** Compiles the package into a scratch folder inside it (the code finds web/ and models/ from there). */
export function buildForSoak(): string {
  const out = mkdtempSync(join(ROOT, 'tmp', 'soak-build-'));
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

/** Streams `minutes` of audio through a server running `build` (buildForSoak) with the bundle `modelDir`. */
export async function runSoak(minutes: number, build: string, modelDir: string, { env, execArgv }: SoakServer = soakServer(process.env, true)): Promise<SoakResult> {
  const audio = await loop();
  const server = fork(join(ROOT, 'bench/soakServer.mjs'), [build, modelDir], { execArgv: [...execArgv], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies: ((m: any) => void)[] = [];
  server.on('message', (m) => replies.shift()?.(m));
  const reply = () => new Promise<any>((resolve) => replies.push(resolve));
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  try {
    const listening = await Promise.race([reply(), exited.then((code) => Promise.reject(new Error(`soak server exited (${code}) before listening`)))]);
    const memory = async (): Promise<Memory> => {
      const answer = reply();
      server.send({ type: 'memory' });
      return (await answer).memory;
    };
    const ws = new WebSocket(`${String(listening.url).replace(/^http/, 'ws')}stream`);
    await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
    const totalSeconds = minutes * 60;
    let heard = 0; // audio time of the server's last event, seconds
    let finals = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const done = new Promise<void>((res) =>
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'error') failure = new Error(`soak: server error ${m.code}: ${m.message}`);
        if (typeof m.audioTime === 'number') heard = Math.max(heard, m.audioTime);
        if (m.type === 'final') finals++;
        if (m.type === 'done') res();
        wake?.();
      }),
    );
    ws.on('close', (code) => {
      failure ??= new Error(`soak: the server closed the stream (${code})`);
      wake?.();
    });
    const started = performance.now();
    ws.send(JSON.stringify({ type: 'start', sampleRate: CLIENT_RATE, format: 'f32', mode: 'local' }));
    const samples: Sampled[] = [];
    let sent = 0; // seconds
    let next = 1; // next minute to sample
    const totalFrames = Math.ceil((totalSeconds * CLIENT_RATE) / FRAME);
    for (let f = 0; f < totalFrames || next <= minutes; ) {
      if (failure) throw failure;
      while (next <= minutes && heard >= next * 60) samples.push({ minute: next++, memory: await memory() });
      if (f < totalFrames && sent - heard < AHEAD_SECONDS) {
        const offset = (f * FRAME) % audio.length;
        const frame = audio.slice(offset, Math.min(offset + FRAME, audio.length));
        ws.send(frame);
        sent += frame.length / CLIENT_RATE;
        f++;
        if (f % 10 === 0) await new Promise((r) => setImmediate(r)); // let the socket drain
        continue;
      }
      if (f >= totalFrames && next <= minutes && heard < next * 60) {
        // The last minute ends inside the stream's tail: only stop finalises it.
        break;
      }
      await new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`soak: no event from the server for ${STALL_MS / 1000} s (sent ${sent.toFixed(1)} s, heard ${heard.toFixed(1)} s)`)), STALL_MS);
        wake = () => (clearTimeout(timer), (wake = undefined), res());
      });
    }
    ws.send(JSON.stringify({ type: 'stop' }));
    await done;
    while (next <= minutes) samples.push({ minute: next++, memory: await memory() });
    const wallSeconds = (performance.now() - started) / 1000;
    ws.close();
    const closing = reply();
    server.send({ type: 'close' });
    await Promise.race([closing, exited]);
    return { minutes, wallSeconds, start: listening.memory, samples, finals };
  } finally {
    if (server.exitCode === null) server.kill();
    await exited;
  }
}

/** The figures of a soak run: start, after warm-up, end, peak, and the verdict. */
export function summariseSoak(r: SoakResult): Record<string, number> {
  const rss = (m: Memory) => m.rss / MB;
  const warm = r.samples.filter((s) => s.minute >= Math.min(WARMUP_MINUTES, r.minutes));
  const after = warm[0]?.memory ?? r.start;
  const end = r.samples.at(-1)?.memory ?? r.start;
  const peak = Math.max(...r.samples.map((s) => rss(s.memory)));
  const spread = Math.max(...warm.map((s) => rss(s.memory))) - Math.min(...warm.map((s) => rss(s.memory)));
  return {
    minutes: r.minutes,
    speed: (r.minutes * 60) / r.wallSeconds,
    startRss: rss(r.start),
    afterWarmupRss: rss(after),
    endRss: rss(end),
    peakRss: peak,
    spreadAfterWarmup: spread,
    endHeapUsed: end.heapUsed / MB,
    endExternal: end.external / MB,
    endArrayBuffers: end.arrayBuffers / MB,
    growthHeapUsed: (end.heapUsed - after.heapUsed) / MB,
    growthExternal: (end.external - after.external) / MB,
    flat: spread <= FLAT_MB ? 1 : 0,
    underMax: peak <= MAX_MB ? 1 : 0,
    finals: r.finals,
  };
}

export interface SoakServer {
  readonly env: NodeJS.ProcessEnv;
  readonly execArgv: readonly string[];
}

/**
 * How the server process starts: with the settings `las serve` gives its child (bin/serveTuning.js),
 * or with node's and glibc's defaults (as LAS_SERVE_NO_TUNING=1 does). LAS_SOAK_NODE_FLAGS adds
 * node flags, for experiments (some, like --optimize-for-size, NODE_OPTIONS refuses).
 */
export function soakServer(env: NodeJS.ProcessEnv, tuned: boolean): SoakServer {
  const extra = (env.LAS_SOAK_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return tuned ? { env: tunedServeEnv(env), execArgv: tunedExecArgv(extra) } : { env, execArgv: extra };
}

export async function benchSoak(): Promise<Row[]> {
  const minutes = Number(process.env.LAS_BENCH_SOAK_MINUTES ?? 60);
  if (!(Number.isInteger(minutes) && minutes >= 1)) throw new Error(`LAS_BENCH_SOAK_MINUTES must be a whole number of minutes >= 1, got ${process.env.LAS_BENCH_SOAK_MINUTES}`);
  const { dir, trained } = benchModelDir();
  const build = buildForSoak();
  const rows: Row[] = [];
  const r = (x: number) => Math.round(x * 10) / 10;
  try {
    for (const [label, tuned] of [['as las serve runs it (tuned)', true], ['LAS_SERVE_NO_TUNING=1 (node and glibc defaults)', false]] as const) {
      const s = summariseSoak(await runSoak(minutes, build, dir, soakServer(process.env, tuned)));
      const tag = `${minutes}-minute stream through the server, ${label} (${trained ? 'las-small' : 'tiny-random'}, local)`;
      rows.push(
        { name: `${tag}: speed (faster than real time)`, value: r(s.speed), unit: 'x real time' },
        { name: `${tag}: server RSS at start / after ${WARMUP_MINUTES} min / end`, value: r(s.startRss), unit: `MB, ${r(s.afterWarmupRss)} MB, ${r(s.endRss)} MB` },
        { name: `${tag}: server RSS peak (sampled each minute)`, value: r(s.peakRss), unit: `MB (at most ${MAX_MB}: ${s.underMax ? 'yes' : 'NO'})` },
        { name: `${tag}: RSS spread after warm-up`, value: r(s.spreadAfterWarmup), unit: `MB (within ${FLAT_MB}: ${s.flat ? 'yes' : 'NO'})` },
        { name: `${tag}: heapUsed / external / arrayBuffers at the end`, value: r(s.endHeapUsed), unit: `MB, ${r(s.endExternal)} MB, ${r(s.endArrayBuffers)} MB` },
      );
    }
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  return rows;
}

// `tsx bench/soak.ts [minutes [bundle]]`: this module alone, every sample printed, the server
// tuned as `las serve` runs it; LAS_SERVE_NO_TUNING=1 runs it with node's and glibc's defaults.
if (import.meta.url === `file://${process.argv[1]}`) {
  const minutes = Number(process.argv[2] ?? process.env.LAS_BENCH_SOAK_MINUTES ?? 60);
  const build = buildForSoak();
  let result: SoakResult;
  try {
    result = await runSoak(minutes, build, process.argv[3] ?? benchModelDir().dir, soakServer(process.env, process.env.LAS_SERVE_NO_TUNING !== '1'));
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  const line = (m: Memory) => `rss ${r(m.rss / MB)} heapTotal ${r(m.heapTotal / MB)} heapUsed ${r(m.heapUsed / MB)} external ${r(m.external / MB)} arrayBuffers ${r(m.arrayBuffers / MB)} MB`;
  console.log(`start: ${line(result.start)}`);
  for (const { minute, memory } of result.samples) console.log(`minute ${minute}: ${line(memory)}`);
  console.log(JSON.stringify(summariseSoak(result)));
}
