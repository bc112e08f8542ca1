// Evaluates a bundle on a manifest through the product's own code: greedy attention decoding
// (beam 1, no CTC weight, no LM, one utterance) in global and local mode by src/decoding, plus greedy
// CTC over the encoder's CTC head as an encoder diagnostic, scored with src/metrics.
//   npx tsx training/tools/eval_onnx.ts --bundle models/las-small --manifest training/work/corpus/test.tsv \
//     [--base DIR] [--limit N] [--group COLUMN] [--out result.json]
// Manifests: a TSV with a header holding `path` and `text` or `transcript`; relative paths are
// resolved against --base (default: the manifest's folder). Audio at any rate is resampled.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { decodeWav, type Audio } from '../../src/audio/index.ts';
import { computeLogMel, normalise } from '../../src/features/index.ts';
import { poolScores, scoreUtterance, type UtteranceScore } from '../../src/metrics/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { argmax } from '../../src/util/argmax.ts';

type Mode = 'global' | 'local' | 'ctc';
const MODES: readonly Mode[] = ['global', 'local', 'ctc'];

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const bundleDir = args.get('bundle');
const manifest = args.get('manifest');
if (!bundleDir || !manifest) {
  console.error('usage: tsx training/tools/eval_onnx.ts --bundle DIR --manifest TSV [--base DIR] [--limit N] [--group COL] [--out JSON]');
  process.exit(2);
}
const base = args.get('base') ?? dirname(manifest);
const limit = Number(args.get('limit') ?? Infinity);
const groupColumn = args.get('group');

const model = await loadModel(bundleDir);
const { left, right } = model.config.attention;

/** Greedy attention decoding of one utterance, exactly as `transcribe()` runs it with beam 1, no CTC weight and no LM. */
async function greedy(audio: Audio, mode: 'global' | 'local', input: string): Promise<string> {
  return (await transcribe(audio, { model, mode, beam: 1, ctcWeight: 0, lmWeight: 0, segmentation: false, input })).text;
}

/** Greedy CTC over the encoder's CTC head: best token per frame, repeats merged, blanks dropped. */
async function greedyCtc(m: LoadedModel, audio: Audio, input: string): Promise<string> {
  const features = normalise(computeLogMel(audio, m.config.frontEnd, input), m.config.normStats);
  const encoded = await m.encoder.encode(features.data, features.frames);
  const { vocab } = m.config;
  const ids: number[] = [];
  let prev = -1;
  for (let t = 0; t < encoded.frames; t++) {
    const k = argmax(encoded.ctcLogits.subarray(t * vocab.size, (t + 1) * vocab.size)); // [T', V] row t
    if (k !== prev && vocab.isText(k)) ids.push(k);
    prev = k;
  }
  return vocab.decode(ids);
}

const lines = readFileSync(manifest, 'utf8').split('\n').filter((l) => l.trim() !== '');
const header = lines[0].split('\t');
const col = (name: string) => header.indexOf(name);
const textCol = col('text') >= 0 ? col('text') : col('transcript');
if (col('path') < 0 || textCol < 0) throw new Error(`${manifest}: need path and text/transcript columns`);
const rows = lines.slice(1, 1 + Math.min(limit, lines.length)).map((l) => l.split('\t'));

const scores: Record<Mode, UtteranceScore[]> = { global: [], local: [], ctc: [] };
const groups: Record<string, Record<Mode, UtteranceScore[]>> = {};
const started = Date.now();
for (const [i, row] of rows.entries()) {
  const path = isAbsolute(row[col('path')]) ? row[col('path')] : join(base, row[col('path')]);
  const id = col('id') >= 0 ? row[col('id')] : row[col('path')];
  const audio = decodeWav(readFileSync(path), { input: path, targetRate: model.config.frontEnd.sampleRate });
  const hyps: Record<Mode, string> = { global: await greedy(audio, 'global', id), local: await greedy(audio, 'local', id), ctc: await greedyCtc(model, audio, id) };
  const group = groupColumn ? row[col(groupColumn)] ?? '' : 'all';
  groups[group] ??= { global: [], local: [], ctc: [] };
  for (const mode of MODES) {
    const s = scoreUtterance(id, row[textCol], hyps[mode]);
    scores[mode].push(s);
    groups[group][mode].push(s);
  }
  if (i < 3 || i % 50 === 0) console.error(`[${i}] ref: ${scores.global[i].ref}\n    global: ${hyps.global}\n    local: ${hyps.local}\n    ctc: ${hyps.ctc}`);
}
const summarise = (set: Record<Mode, UtteranceScore[]>) =>
  Object.fromEntries(MODES.map((m) => {
    const p = poolScores(set[m]);
    const exact = set[m].filter((s) => s.ref === s.hyp).length / Math.max(1, set[m].length);
    return [m, { utterances: p.utterances, wer: p.wer, cer: p.cer, exact }];
  }));
const result = {
  bundle: bundleDir, manifest, utterances: rows.length, seconds: (Date.now() - started) / 1000,
  window: { left, right }, all: summarise(scores),
  groups: groupColumn ? Object.fromEntries(Object.entries(groups).map(([g, s]) => [g, summarise(s)])) : undefined,
  hyps: scores.global.map((s, i) => ({ id: s.id, ref: s.ref, global: s.hyp, local: scores.local[i].hyp, ctc: scores.ctc[i].hyp })),
};
if (args.get('out')) writeFileSync(args.get('out')!, JSON.stringify(result, null, 1));
console.log(JSON.stringify({ manifest, utterances: rows.length, all: result.all, groups: result.groups }));
await model.dispose();
