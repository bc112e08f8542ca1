import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModel } from '../src/offline/transcribe.ts';
import { benchModelDir, type Row } from './transcribe.ts';

/**
 * Start-up costs a user of the command pays before any audio is decoded:
 * - `las --help` from the build (what an installed package runs) and from the sources through
 *   tsx (what this checkout runs), each a fresh process;
 * - importing the library entry of the build in plain Node;
 * - `las transcribe` of one short sample from the build: start-up, model load and decoding;
 * - loading the model bundle in-process (both ONNX sessions, with their warm-up runs).
 * Each figure is the median of RUNS, after one unmeasured run to warm the file cache.
 */
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/las.js');
const SAMPLE = join(ROOT, 'samples/flite-kal-sentence.wav');
const RUNS = 5;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function wallMs(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
    if (i > 0) times.push(performance.now() - start);
  }
  return median(times);
}

export async function benchStartup(): Promise<Row[]> {
  const { dir, trained } = benchModelDir();
  console.log(`startup: model ${dir}${trained ? '' : ' (random-weight tiny bundle: the trained one is missing)'}`);
  const rows: Row[] = [];
  const built = existsSync(join(ROOT, 'dist/src/cli/main.js'));
  if (built) {
    rows.push({ name: 'las --help, compiled (dist/)', value: Math.round(wallMs([BIN, '--help'], { LAS_CLI: 'dist' })), unit: 'ms wall' });
  } else console.log('startup: dist/ is not built (npm run build): compiled figures skipped');
  rows.push({ name: 'las --help, sources through tsx', value: Math.round(wallMs([BIN, '--help'], { LAS_CLI: 'src' })), unit: 'ms wall' });
  if (built) {
    rows.push({ name: "import('las-speech') from dist/, plain node", value: Math.round(wallMs(['--input-type=module', '-e', `await import(${JSON.stringify(join(ROOT, 'dist/src/index.js'))})`], {})), unit: 'ms wall' });
    rows.push({ name: 'las transcribe one 2.8 s sample, compiled (start-up + model load + decode)', value: Math.round(wallMs([BIN, 'transcribe', '--model', dir, '--beam', '1', SAMPLE], { LAS_CLI: 'dist' })), unit: 'ms wall' });
  }
  const loads: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    const model = await loadModel(dir, { intraOpThreads: 1 });
    if (i > 0) loads.push(performance.now() - start);
    await model.dispose();
  }
  rows.push({ name: 'loadModel (both sessions, checked and warmed up), in-process', value: Math.round(median(loads)), unit: 'ms wall' });
  return rows;
}
