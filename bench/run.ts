import { performance } from 'node:perf_hooks';
import { benchDecode } from './decode.ts';
import { benchDecodingTable } from './decodingTable.ts';
import { benchDecodingCost } from './decodingCost.ts';
import { benchFeatures } from './features.ts';
import { benchPocketsphinx } from './pocketsphinx.ts';
import { benchScaling, benchTranscribe } from './transcribe.ts';
import { benchStreaming } from './streaming.ts';
import { benchStartup } from './startup.ts';
import { benchReliability } from './reliability.ts';
import { benchQueue } from './queue.ts';
import { benchSoak } from './soak.ts';

/**
 * `npm run bench`: every benchmark module in turn, then one table. A module that fails is
 * reported in the table and the others still run. Benchmarks are never tests: nothing here
 * asserts a timing. `npm run bench -- transcribe scaling` (or `npx tsx bench/run.ts ...`) runs
 * only the modules named.
 */
type Row = { name: string; value: number; unit: string };

const MODULES: readonly (readonly [string, () => Promise<Row[]>])[] = [
  ['startup', benchStartup],
  ['features', benchFeatures],
  ['decode', benchDecode],
  ['decoding table', benchDecodingTable],
  ['decoding cost', () => benchDecodingCost()],
  ['transcribe', benchTranscribe],
  ['scaling', benchScaling],
  ['pocketsphinx', benchPocketsphinx],
  ['streaming', benchStreaming],
  ['reliability', benchReliability],
  ['queue', benchQueue],
  ['soak', benchSoak],
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !MODULES.some(([module]) => module === name));
if (unknown.length > 0) throw new Error(`no bench module ${unknown.map((n) => JSON.stringify(n)).join(', ')} (modules: ${MODULES.map(([m]) => m).join(', ')})`);
const selected = wanted.length === 0 ? MODULES : MODULES.filter(([module]) => wanted.includes(module));

const results: { module: string; rows: Row[]; seconds: number; error?: string }[] = [];
for (const [module, run] of selected) {
  const start = performance.now();
  console.log(`bench: ${module}...`);
  try {
    results.push({ module, rows: await run(), seconds: (performance.now() - start) / 1000 });
  } catch (err) {
    results.push({ module, rows: [], seconds: (performance.now() - start) / 1000, error: err instanceof Error ? err.message : String(err) });
  }
}

const lines: [string, string, string][] = [];
for (const r of results) {
  for (const row of r.rows) lines.push([`${r.module}: ${row.name}`, String(row.value), row.unit]);
  if (r.error !== undefined) lines.push([`${r.module}: FAILED (${r.error.split('\n')[0]})`, '', '']);
  else if (r.rows.length === 0) lines.push([`${r.module}: skipped (see above)`, '', '']);
}
const width = [0, 1, 2].map((k) => Math.max(...lines.map((l) => l[k].length), ['benchmark', 'value', 'unit'][k].length));
const fmt = (l: readonly string[]) => `| ${l[0].padEnd(width[0])} | ${l[1].padStart(width[1])} | ${l[2].padEnd(width[2])} |`;
console.log(`\n${fmt(['benchmark', 'value', 'unit'])}\n| ${'-'.repeat(width[0])} | ${'-'.repeat(width[1] - 1)}: | ${'-'.repeat(width[2])} |`);
for (const l of lines) console.log(fmt(l));
console.log(`\n${results.map((r) => `${r.module} ${r.seconds.toFixed(1)} s`).join(', ')}; node ${process.version}, ${process.platform} ${process.arch}`);
process.exitCode = results.some((r) => r.error !== undefined) ? 1 : 0;
