import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWavFile, type Audio } from '../src/audio/index.ts';
import { MODE_NAMES, type ModeName } from '../src/attention/index.ts';
import { DEFAULT_MODEL_DIR } from '../src/cli/defaultModel.ts';
import { DEFAULT_DECODING_OPTIONS, type DecodingOptions } from '../src/decoding/index.ts';
import { poolScores, scoreUtterance } from '../src/metrics/index.ts';
import { parseTranscriptTable } from '../src/report/manifest.ts';
import { loadModel, transcribe, type LoadedModel } from '../src/offline/transcribe.ts';

/**
 * Transcription benchmarks on one ONNX thread, for the default decoding (beam 4, joint
 * CTC/attention, the bundle's LM) and for greedy attention-only decoding (the fastest setting):
 * - real-time factor per attention mode and setting, split into features, encoder and decoder,
 *   over samples/ (wall time of each stage as measured by transcribe()), and the process's CPU
 *   time per audio second (on a shared machine wall time also counts the other jobs);
 * - scaling: wall and CPU time and peak memory for 10 s, 40 s and 160 s of audio per mode and
 *   setting, each case in its own child process so one case's memory cannot hide another's.
 * Uses the trained bundle when it exists, else the random-weight tiny one (said on stdout).
 */
export type Row = { name: string; value: number; unit: string };

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLES = join(ROOT, 'samples');
const TINY_MODEL_DIR = join(ROOT, 'models/tiny-random');

/** A decoding setting the benches run: a name for the rows and the options it passes to transcribe(). */
export interface BenchSetting {
  readonly name: string;
  readonly options: Partial<DecodingOptions>;
}

/** The default decoding (what `las transcribe` does with no decoding flags) and greedy attention-only decoding. */
export const BENCH_SETTINGS: readonly BenchSetting[] = [
  { name: `default (beam ${DEFAULT_DECODING_OPTIONS.beam}, ctc ${DEFAULT_DECODING_OPTIONS.ctcWeight}, bundle LM)`, options: {} },
  { name: 'greedy (attention only)', options: { beam: 1, ctcWeight: 0, lmWeight: 0 } },
];
const SCALING_SECONDS = [10, 40, 160] as const;
const GAP_SECONDS = 0.3; // silence between the concatenated samples of a scaling input

/** The bundle the benchmarks use, and whether it is the trained one. */
export function benchModelDir(): { dir: string; trained: boolean } {
  return existsSync(DEFAULT_MODEL_DIR) ? { dir: DEFAULT_MODEL_DIR, trained: true } : { dir: TINY_MODEL_DIR, trained: false };
}

export interface Sample {
  readonly id: string;
  readonly path: string;
  readonly audio: Audio; // 16 kHz mono
  readonly reference: string;
}

/** Every clip listed in samples/refs.tsv, decoded to 16 kHz. */
export async function loadSamples(): Promise<Sample[]> {
  const refsPath = join(SAMPLES, 'refs.tsv');
  const rows = parseTranscriptTable(readFileSync(refsPath, 'utf8'), refsPath);
  return Promise.all(rows.map(async (r) => ({ id: r.name, path: join(SAMPLES, r.name), audio: await readWavFile(join(SAMPLES, r.name)), reference: r.transcript })));
}

export interface LasRun {
  readonly audioSeconds: number;
  readonly featuresMs: number;
  readonly encoderMs: number;
  readonly decoderMs: number;
  readonly totalMs: number;
  /** Process CPU time over the run (all threads), for comparison with other engines' CPU time. */
  readonly cpuMs: number;
  readonly wer: number;
  readonly hypotheses: ReadonlyMap<string, string>;
}

/**
 * Transcribes every sample once with one mode and setting, after one unmeasured pass over all of
 * them: V8 compiles the search's hot code on background threads during its first few hundred
 * calls, which with one sample of warm-up landed in the first setting's CPU time (about 0.006
 * CPU RTF on samples/' 55 s; start-up is the startup module's figure).
 */
export async function runLas(model: LoadedModel, samples: readonly Sample[], mode: ModeName, setting: BenchSetting): Promise<LasRun> {
  const { options } = setting;
  for (const s of samples) await transcribe(s.audio, { model, mode, ...options, input: s.id });
  const totals = { audioSeconds: 0, featuresMs: 0, encoderMs: 0, decoderMs: 0, totalMs: 0 };
  const scores = [];
  const hypotheses = new Map<string, string>();
  const cpu0 = process.cpuUsage();
  for (const s of samples) {
    const r = await transcribe(s.audio, { model, mode, ...options, input: s.id });
    totals.audioSeconds += r.timing.audioSeconds;
    totals.featuresMs += r.timing.featuresMs;
    totals.encoderMs += r.timing.encoderMs;
    totals.decoderMs += r.timing.decoderMs;
    totals.totalMs += r.timing.totalMs;
    scores.push(scoreUtterance(s.id, s.reference, r.text));
    hypotheses.set(s.id, r.text);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ...totals, cpuMs: (cpu.user + cpu.system) / 1000, wer: poolScores(scores).wer, hypotheses };
}

const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

export async function benchTranscribe(): Promise<Row[]> {
  const { dir, trained } = benchModelDir();
  console.log(`transcribe bench: model ${dir}${trained ? '' : ' (random weights: the trained bundle is missing; WER is meaningless, timings are of the tiny model)'}`);
  const samples = await loadSamples();
  const model = await loadModel(dir, { intraOpThreads: 1 });
  const rows: Row[] = [];
  try {
    for (const mode of MODE_NAMES)
      for (const setting of BENCH_SETTINGS) {
        const run = await runLas(model, samples, mode, setting);
        const rtf = (ms: number) => round(ms / 1000 / run.audioSeconds);
        const tag = `transcribe ${mode} ${setting.name}`;
        rows.push(
          { name: `${tag}: RTF total (${round(run.audioSeconds, 3)} s of samples/)`, value: rtf(run.totalMs), unit: 'RTF' },
          { name: `${tag}: CPU RTF (process user + system time)`, value: rtf(run.cpuMs), unit: 'RTF' },
          { name: `${tag}: RTF features`, value: rtf(run.featuresMs), unit: 'RTF' },
          { name: `${tag}: RTF encoder`, value: rtf(run.encoderMs), unit: 'RTF' },
          { name: `${tag}: RTF decoder`, value: rtf(run.decoderMs), unit: 'RTF' },
          { name: `${tag}: WER`, value: round(100 * run.wer, 3), unit: '%' },
        );
      }
  } finally {
    await model.dispose();
  }
  return rows;
}

/** Samples concatenated with short pauses, repeated until `seconds`, cut to exactly that length. */
export function longInput(samples: readonly Sample[], seconds: number): Audio {
  const rate = 16000;
  const out = new Float32Array(Math.round(seconds * rate));
  const gap = Math.round(GAP_SECONDS * rate);
  let at = 0;
  for (let k = 0; at < out.length; k++) {
    const clip = samples[k % samples.length].audio.samples;
    out.set(clip.subarray(0, Math.min(clip.length, out.length - at)), at);
    at += clip.length + gap;
  }
  return { samples: out, sampleRate: rate };
}

interface ScalingCase {
  readonly wallMs: number;
  readonly cpuMs: number; // user + system time of the call
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
  readonly tokens: number;
  readonly framesAttendedPerToken: number;
}

/** One scaling case in a fresh process, one thread, with the setting named `settingName` (BENCH_SETTINGS). */
async function scalingChild(mode: ModeName, seconds: number, dir: string, settingName: string): Promise<ScalingCase> {
  const setting = BENCH_SETTINGS.find((s) => s.name === settingName);
  if (setting === undefined) throw new Error(`no bench setting ${JSON.stringify(settingName)}`);
  const samples = await loadSamples();
  const audio = longInput(samples, seconds);
  const model = await loadModel(dir, { intraOpThreads: 1 });
  const { options } = setting;
  await transcribe(samples[0].audio, { model, mode, ...options }); // warm-up on a short clip
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await transcribe(audio, { model, mode, ...options, input: `${seconds} s` });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - start;
  const peakRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in kB
  await model.dispose();
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb, baselineRssMb, tokens: r.tokens.length, framesAttendedPerToken: r.framesAttendedPerToken };
}

function runChild(mode: ModeName, seconds: number, dir: string, setting: BenchSetting): Promise<ScalingCase> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--scaling-case', mode, String(seconds), dir, setting.name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`scaling case ${mode} ${setting.name} ${seconds} s exited with ${code}`));
      try {
        done(JSON.parse(out.trim().split('\n').at(-1) ?? ''));
      } catch (e) {
        fail(e);
      }
    });
  });
}

export async function benchScaling(): Promise<Row[]> {
  const { dir } = benchModelDir();
  const rows: Row[] = [];
  for (const setting of BENCH_SETTINGS)
    for (const mode of MODE_NAMES) {
      const cases: [number, ScalingCase][] = [];
      for (const seconds of SCALING_SECONDS) cases.push([seconds, await runChild(mode, seconds, dir, setting)]);
      for (const [seconds, c] of cases) {
        const tag = `scaling ${mode} ${setting.name} ${seconds} s`;
        rows.push(
          { name: `${tag}: wall time (${c.tokens} tokens, ${round(c.framesAttendedPerToken, 3)} frames/token)`, value: round(c.wallMs / 1000), unit: 's' },
          { name: `${tag}: CPU time`, value: round(c.cpuMs / 1000), unit: 's' },
          { name: `${tag}: peak RSS (process)`, value: round(c.peakRssMb), unit: 'MB' },
          { name: `${tag}: RSS growth during the call`, value: round(c.peakRssMb - c.baselineRssMb), unit: 'MB' },
        );
      }
      const [first, , last] = cases;
      // Linear scaling keeps these at 1; quadratic growth (global attention over a whole recording) makes them grow with length.
      const perSecond = (c: [number, ScalingCase], key: 'wallMs' | 'cpuMs') => c[1][key] / c[0];
      rows.push(
        { name: `scaling ${mode} ${setting.name}: wall time per audio second, ${last[0]} s vs ${first[0]} s`, value: round(perSecond(last, 'wallMs') / perSecond(first, 'wallMs'), 3), unit: 'x' },
        { name: `scaling ${mode} ${setting.name}: CPU time per audio second, ${last[0]} s vs ${first[0]} s`, value: round(perSecond(last, 'cpuMs') / perSecond(first, 'cpuMs'), 3), unit: 'x' },
      );
    }
  return rows;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv[2] === '--scaling-case') {
  const [mode, seconds, dir, settingName] = process.argv.slice(3);
  const result = await scalingChild(mode as ModeName, Number(seconds), dir, settingName);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
