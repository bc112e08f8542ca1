import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeCorpus } from '../scripts/make-malformed-corpus.ts';
import { benchModelDir, type Row } from './transcribe.ts';

/**
 * Reliability figures (issue 11), each measured in its own child process:
 * - batch: LAS_BENCH_BATCH_FILES files (default 1,000), 10 % corrupt (the malformed-input
 *   corpus), through `las transcribe --files-from`: wall time, peak RSS, every line accounted for;
 * - resampler kernels: peak RSS after 50 different input rates (the cache keeps 4);
 * - alignment: time and peak RSS of one 20,000-character CER alignment (linear memory);
 * - property tests at LAS_FC_SCALE (default 10) times the CI case counts.
 * The one-hour streaming soak is in bench/soak.ts.
 */
const ROOT = resolve(import.meta.dirname, '..');
const CHILD = join(ROOT, 'bench/reliabilityChild.ts');

function child(args: readonly string[]): Record<string, number> {
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = run.stderr.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`reliability child ${args[0]} failed (rc ${run.status}): ${run.stderr.slice(-500)}`);
  }
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** The batch rows alone: `npx tsx bench/reliability.ts batch` (LAS_BENCH_BATCH_FILES files). */
export function benchBatch(): Row[] {
  const rows: Row[] = [];
  const files = Number(process.env.LAS_BENCH_BATCH_FILES ?? 1000);
  const scratch = mkdtempSync(join(tmpdir(), 'las-bench-batch-'));
  try {
    const corpus = join(scratch, 'corpus');
    writeCorpus(corpus);
    // directory.wav is left out: `las transcribe` expands a folder argument, and an empty one is a usage error.
    const corrupt = readdirSync(corpus).filter((f) => f !== 'expected.tsv' && !['directory.wav', 'silence.wav', 'dc-offset.wav', 'square-100hz.wav', 'white-noise.wav', 'denormals.wav', 'pcm-12-bit.wav'].includes(f));
    const good = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.wav') && !f.startsWith('longform'));
    const list: string[] = [];
    for (let i = 0; i < files; i++) {
      if (i % 10 === 9) list.push(join(corpus, corrupt[Math.floor(i / 10) % corrupt.length]));
      else {
        const copy = join(scratch, `good-${i}.wav`);
        copyFileSync(join(ROOT, 'samples', good[i % good.length]), copy);
        list.push(copy);
      }
    }
    writeFileSync(join(scratch, 'list.txt'), `${list.join('\n')}\n`);
    const { dir, trained } = benchModelDir();
    const batch = child(['batch', join(scratch, 'list.txt'), dir]);
    const tag = `batch of ${files} files, 10 % corrupt (${trained ? 'las-small' : 'tiny-random'}, greedy)`;
    rows.push(
      { name: `${tag}: wall time`, value: round(batch.seconds), unit: 's' },
      { name: `${tag}: peak RSS`, value: round(batch.peakRssMb), unit: 'MB' },
      { name: `${tag}: lines out / failed / exit code`, value: Number(`${batch.lines}`), unit: `lines, ${batch.failed} failed, rc ${batch.code}` },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

export async function benchReliability(): Promise<Row[]> {
  const rows = benchBatch();
  const kernels = child(['kernels', '50']);
  const oneKernel = child(['kernels', '1']);
  rows.push({ name: 'resampler: RSS after 50 input rates and a GC (after 1 rate)', value: round(kernels.rssAfterGcMb), unit: `MB (${round(oneKernel.rssAfterGcMb)} MB)` });

  const aligned = child(['align', '20000']);
  rows.push({ name: 'alignment of 20,000 x 20,000 characters: time, peak RSS', value: round(aligned.seconds), unit: `s, ${round(aligned.peakRssMb)} MB` });

  const scale = process.env.LAS_FC_SCALE ?? '10';
  const started = Date.now();
  const props = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/property'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LAS_FC_SCALE: scale } });
  if (props.status !== 0) console.log(`bench: reliability: property tests failed:\n${(props.stdout + props.stderr).slice(-4000)}`);
  rows.push({ name: `property tests at ${scale}x the CI cases (about ${Math.round(1580 * Number(scale))})`, value: props.status === 0 ? 1 : 0, unit: `1 = all passed (${Math.round((Date.now() - started) / 1000)} s)` });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'batch') {
  for (const row of benchBatch()) console.log(`${row.name}: ${row.value} ${row.unit}`);
}
