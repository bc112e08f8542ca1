/**
 * One measurement in a fresh process, so its peak RSS is its own: `batch LIST MODEL` runs
 * `las transcribe --files-from LIST` in-process; `kernels N` builds resamplers for N rates;
 * `align N` aligns two N-character sequences. Prints one JSON line on stderr (run it with
 * --expose-gc for the RSS after a collection).
 */
import { performance } from 'node:perf_hooks';
import { createResampler } from '../src/audio/resample.ts';
import { main } from '../src/cli/main.ts';
import { align } from '../src/metrics/align.ts';

const [what, a, b] = process.argv.slice(2);
const started = performance.now();
const before = process.memoryUsage().rss;
let extra: Record<string, number> = {};
if (what === 'batch') {
  const out = process.stdout.write.bind(process.stdout);
  let lines = 0;
  let failed = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line === '') continue;
      lines++;
      if (line.includes('"error"')) failed++;
    }
    return true;
  }) as typeof process.stdout.write;
  const code = await main(['transcribe', '--files-from', a, '--model', b, '--beam', '1', '--format', 'json']);
  process.stdout.write = out;
  extra = { code, lines, failed };
} else if (what === 'kernels') {
  for (let i = 0; i < Number(a); i++) createResampler(16_001 + 37 * i, 16000).push(new Float32Array(1024));
} else if (what === 'align') {
  const n = Number(a);
  let seed = 3;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const ref = Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz '[Math.floor(next() * 27)]);
  const hyp = ref.map((c) => (next() < 0.1 ? 'x' : c));
  extra = { edits: align(ref, hyp).S };
}
const seconds = (performance.now() - started) / 1000;
(globalThis as { gc?: () => void }).gc?.();
process.stderr.write(`${JSON.stringify({ seconds, rssBeforeMb: before / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1000, rssAfterGcMb: process.memoryUsage().rss / 1e6, ...extra })}\n`);
