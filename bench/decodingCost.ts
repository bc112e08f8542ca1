import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { readWavFile } from '../src/audio/index.ts';
import type { ModeName } from '../src/attention/index.ts';
import { decodeContextOf, decodeEncoded } from '../src/decoding/index.ts';
import { computeLogMel, normalise } from '../src/features/index.ts';
import type { DecoderStep } from '../src/model/decoderStep.ts';
import type { LoadedModel } from '../src/model/index.ts';
import { loadModel } from '../src/offline/transcribe.ts';
import { readManifest } from './evalDecoding.ts';
import { benchModelDir, type Row } from './transcribe.ts';

/**
 * Where the default decoding's time goes, on one thread (README "Decoding results", Speed):
 * - per stage, over validation utterances: log-mel, encoder, the decoder step's calls
 *   (DecoderStep.run: onnxruntime's run with its input and output handling; their number and
 *   cost each) and the rest of decodeEncoded (the search's TypeScript, the CTC posteriors, the
 *   alignment and its CTC timestamps), each as wall seconds per audio second, global mode
 *   first, without a warm-up;
 * - one decoder step call on synthetic inputs of the bundle's shapes (40 frames that the rows
 *   share, as in global mode), back to back and after a pass over 9 MB between calls (what
 *   other work does to the caches), with 1 and 8 rows.
 * Validation voices only. Alone: npx tsx bench/decodingCost.ts [manifest] [--limit N]
 */
const VALIDATION = resolve(import.meta.dirname, '../training/work/corpus/validation.tsv');
const UTTERANCES = 150;
const CALLS = 600;
const POLLUTER_BYTES = 9 * 2 ** 20;

/** Counts and times the calls of `decoder.run` (an own property that shadows the class's method). */
function timedCalls(decoder: DecoderStep): { readonly calls: number; readonly ms: number; reset(): void } {
  const run = decoder.run.bind(decoder);
  const stats = { calls: 0, ms: 0, reset: () => ((stats.calls = 0), (stats.ms = 0)) };
  decoder.run = async (...args) => {
    const t0 = performance.now();
    try {
      return await run(...args);
    } finally {
      stats.ms += performance.now() - t0;
      stats.calls++;
    }
  };
  return stats;
}

async function stageRows(model: LoadedModel, manifest: string, limit: number): Promise<Row[]> {
  const { frontEnd, normStats } = model.config;
  const utterances = readManifest(manifest, limit);
  const audio = [];
  for (const u of utterances) audio.push(await readWavFile(u.path, { targetRate: frontEnd.sampleRate }));
  const seconds = audio.reduce((n, a) => n + a.samples.length / a.sampleRate, 0);
  let t = performance.now();
  const features = audio.map((a, i) => normalise(computeLogMel(a, frontEnd, utterances[i].path), normStats, 'normStats'));
  const frontMs = performance.now() - t;
  t = performance.now();
  const encoded = [];
  for (const f of features) encoded.push(await model.encoder.encode(f.data, f.frames));
  const encoderMs = performance.now() - t;
  const ctx = decodeContextOf(model);
  const calls = timedCalls(model.decoder);
  const rtf = (ms: number) => Math.round((ms / 1000 / seconds) * 1e5) / 1e5;
  const tag = `${utterances.length} utterances (${seconds.toFixed(0)} s)`;
  const rows: Row[] = [
    { name: `decoding cost, ${tag}: log-mel`, value: rtf(frontMs), unit: 'RTF' },
    { name: `decoding cost, ${tag}: encoder`, value: rtf(encoderMs), unit: 'RTF' },
  ];
  for (const mode of ['global', 'local'] as ModeName[]) {
    calls.reset();
    t = performance.now();
    for (const e of encoded) await decodeEncoded(model.decoder, e, ctx, { mode });
    const searchMs = performance.now() - t;
    const each = calls.calls > 0 ? `${((1000 * calls.ms) / calls.calls).toFixed(0)} µs each` : 'none made';
    rows.push(
      { name: `decoding cost, ${tag}, ${mode}, default decoding: decoder step calls`, value: rtf(calls.ms), unit: `RTF (${calls.calls} calls, ${each})` },
      { name: `decoding cost, ${tag}, ${mode}, default decoding: the rest of decodeEncoded`, value: rtf(searchMs - calls.ms), unit: 'RTF' },
    );
  }
  return rows;
}

/** Median µs of one decoder step call with `rows` rows over 40 frames, back to back or after a pass over 9 MB. */
async function callMicroseconds(decoder: DecoderStep, rows: number, polluter: Float64Array | undefined): Promise<number> {
  const width = 40;
  const buffers = decoder.createBuffers(rows, width);
  buffers.tokens.fill(5n);
  buffers.keys.fill(0.01);
  buffers.memory.fill(0.01);
  buffers.mask.fill(1);
  const times: number[] = [];
  let sink = 0;
  for (let i = 0; i < CALLS; i++) {
    if (polluter !== undefined) for (let j = 0; j < polluter.length; j += 8) sink += polluter[j];
    const t0 = performance.now();
    await decoder.run(buffers, rows, width, true);
    times.push(1000 * (performance.now() - t0));
  }
  if (sink < 0) console.log(sink); // keeps the pass from being optimised away
  return times.sort((a, b) => a - b)[times.length >> 1];
}

export async function benchDecodingCost(manifest = VALIDATION, limit = UTTERANCES): Promise<Row[]> {
  const { dir, trained } = benchModelDir();
  if (!trained || !existsSync(manifest)) {
    console.log(`decoding cost: skipped, needs the trained bundle and ${manifest}`);
    return [];
  }
  const model = await loadModel(dir, { intraOpThreads: 1 });
  try {
    const calls: Row[] = [];
    const polluter = new Float64Array(POLLUTER_BYTES / 8).fill(1);
    // Before stageRows wraps the decoder's run with its timer.
    for (const r of [1, 8])
      for (const polluted of [false, true])
        calls.push({
          name: `decoding cost: one decoder step call, ${r} row${r > 1 ? 's' : ''}, 40 shared frames, ${polluted ? 'after a 9 MB pass' : 'back to back'}`,
          value: Math.round(await callMicroseconds(model.decoder, r, polluted ? polluter : undefined)),
          unit: 'µs (median)',
        });
    return [...(await stageRows(model, manifest, limit)), ...calls];
  } finally {
    await model.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--limit');
  const limit = at >= 0 ? Number(args.splice(at, 2)[1]) : UTTERANCES;
  if (!(Number.isInteger(limit) && limit > 0)) throw new Error('--limit takes a whole number of utterances above 0');
  for (const row of await benchDecodingCost(args[0] ?? VALIDATION, limit)) console.log(`${row.name}\t${row.value}\t${row.unit}`);
}
