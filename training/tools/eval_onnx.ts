// Evaluates a bundle's ONNX graphs on a manifest: greedy decoding in global and local mode
// (plus greedy CTC as an encoder diagnostic), scored with src/metrics.
//   npx tsx training/tools/eval_onnx.ts --bundle models/las-small --manifest training/work/corpus/test.tsv \
//     [--base DIR] [--limit N] [--group COLUMN] [--out result.json]
// Manifests: a TSV with a header holding `path` and `text` or `transcript`; relative paths are
// resolved against --base (default: the manifest's folder). Audio at any rate is resampled.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import ort from 'onnxruntime-node';
import { decodeWav } from '../../src/audio/index.ts';
import { computeLogMel } from '../../src/features/index.ts';
import { poolScores, scoreUtterance, type UtteranceScore } from '../../src/metrics/index.ts';

type Mode = 'global' | 'local' | 'ctc';
const MODES: readonly Mode[] = ['global', 'local', 'ctc'];
const SOS = 1;
const EOS = 2;
const BLANK = 0;
const MAX_TOKENS_PER_FRAME = 1.2;

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

const config = JSON.parse(readFileSync(join(bundleDir, 'config.json'), 'utf8'));
const vocab: string[] = config.vocab;
const { left, right } = config.attention;
const mean = Float32Array.from(config.normStats.mean);
const std = Float32Array.from(config.normStats.std);
const encoder = await ort.InferenceSession.create(join(bundleDir, config.encoder.file));
const decoder = await ort.InferenceSession.create(join(bundleDir, config.decoder.file));
const hidden: number = config.decoder.hidden;

interface Encoded { frames: number; memory: Float32Array; keys: Float32Array; ctc: Float32Array; h: number; a: number }

async function encode(samples: Float32Array): Promise<Encoded> {
  const feats = computeLogMel(samples);
  const dim = feats.dim;
  const t = Math.floor(feats.frames / config.subsampling) * config.subsampling; // whole 4-frame blocks
  const data = new Float32Array(t * dim); // [T, 80] normalised
  for (let i = 0; i < t * dim; i++) data[i] = (feats.data[i] - mean[i % dim]) / std[i % dim];
  const feeds: Record<string, ort.Tensor> = { feats: new ort.Tensor('float32', data, [1, t, dim]) };
  for (const s of config.encoder.state) {
    const size = s.shape.reduce((x: number, y: number) => x * y, 1);
    feeds[s.input] = new ort.Tensor('float32', new Float32Array(size), s.shape);
  }
  const out = await encoder.run(feeds);
  const memory = out.memory as ort.Tensor;
  const keys = out.keys as ort.Tensor;
  return { frames: memory.dims[1], memory: memory.data as Float32Array, keys: keys.data as Float32Array,
    ctc: (out.ctc_logits as ort.Tensor).data as Float32Array, h: memory.dims[2], a: keys.dims[2] };
}

function argmax(row: ArrayLike<number>, from = 0, to = row.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (row[i] > row[best]) best = i;
  return best - from;
}

async function greedy(enc: Encoded, mode: 'global' | 'local'): Promise<string> {
  let h = new Float32Array(hidden);
  let c = new Float32Array(hidden);
  let token = SOS;
  let pointer = 0;
  const out: string[] = [];
  // The densest training utterance has 1.16 output tokens per 40 ms encoder frame (median
  // 0.59), so a hypothesis longer than this has run away.
  const maxSteps = Math.ceil(MAX_TOKENS_PER_FRAME * enc.frames) + 5;
  for (let step = 0; step < maxSteps; step++) {
    const start = mode === 'global' ? 0 : Math.max(0, pointer - left);
    const end = mode === 'global' ? enc.frames : Math.min(enc.frames, pointer + right + 1);
    const w = end - start;
    const res = await decoder.run({
      token: new ort.Tensor('int64', BigInt64Array.from([BigInt(token)]), [1]),
      h: new ort.Tensor('float32', h, [1, hidden]),
      c: new ort.Tensor('float32', c, [1, hidden]),
      keys: new ort.Tensor('float32', enc.keys.subarray(start * enc.a, end * enc.a), [1, w, enc.a]),
      memory: new ort.Tensor('float32', enc.memory.subarray(start * enc.h, end * enc.h), [1, w, enc.h]),
      mask: new ort.Tensor('float32', new Float32Array(w).fill(1), [1, w]),
    });
    h = res.h_out.data as Float32Array<ArrayBuffer>;
    c = res.c_out.data as Float32Array<ArrayBuffer>;
    pointer = Math.max(pointer, start + argmax(res.attn.data as Float32Array));
    token = argmax(res.logits.data as Float32Array);
    if (token === EOS) break;
    if (token > EOS) out.push(vocab[token]);
  }
  return out.join('');
}

function greedyCtc(enc: Encoded): string {
  const v = vocab.length;
  let prev = -1;
  const out: string[] = [];
  for (let t = 0; t < enc.frames; t++) {
    const k = argmax(enc.ctc.subarray(t * v, (t + 1) * v));
    if (k !== prev && k !== BLANK && k > EOS) out.push(vocab[k]);
    prev = k;
  }
  return out.join('');
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
  const audio = decodeWav(readFileSync(path), { input: path });
  const enc = await encode(audio.samples);
  const hyps: Record<Mode, string> = { global: await greedy(enc, 'global'), local: await greedy(enc, 'local'), ctc: greedyCtc(enc) };
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
