/**
 * Decoding sweep over a corpus manifest (the recipe's TSV: id, path, voice, duration, text; paths
 * relative to the manifest's folder): WER / CER / RTF for each decoding setting, on one thread.
 * Features and the encoder run once per utterance; every setting decodes the same encoder
 * output, so the settings differ only in the search. RTF counts features + encoder + search.
 *
 *   npx tsx bench/evalDecoding.ts training/work/corpus/validation.tsv --modes global,local \
 *     --beams 1,8 --ctc-weights 0,0.3,0.5 [--lm-weights 0,0.5] [--lefts 10] [--rights 4,6,8] [--limit 60] [--model DIR] [--segmented]
 *     [--precision auto|int8|float32]
 *
 * --lm-weights: shallow-fusion weights of the bundle's LM (default: the bundle's own, config.json
 * lm.weight, or 0 without an LM); --oov-penalties and --word-penalties likewise (lm.oovPenalty,
 * lm.wordPenalty).
 *
 * --segmented runs the product path instead (transcribe(): files streamed, cut at pauses, each
 * segment decoded), for long recordings; RTF then counts everything transcribe() does.
 *
 * Tune only on validation.tsv. test.tsv and longform.tsv hold the reserved test voices: they
 * are for measuring a chosen setting once, never for choosing it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { readWavFile } from '../src/audio/index.ts';
import { MODE_NAMES, type ModeName } from '../src/attention/index.ts';
import { decodeContextOf, decodeEncoded, type DecodingOptions } from '../src/decoding/index.ts';
import { computeLogMel, normalise } from '../src/features/index.ts';
import { poolScores, scoreUtterance, type UtteranceScore } from '../src/metrics/index.ts';
import { loadModel, transcribe, type LoadedModel } from '../src/offline/transcribe.ts';
import { DEFAULT_MODEL_DIR } from '../src/cli/defaultModel.ts';
import type { Precision } from '../src/model/index.ts';

interface Utterance {
  readonly id: string;
  readonly path: string;
  readonly text: string;
}

export function readManifest(file: string, limit: number): Utterance[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no "${name}" column in the header`);
    return i;
  };
  const [idCol, pathCol, textCol] = [col('id'), col('path'), col('text')];
  const base = dirname(file);
  return lines
    .slice(1, limit > 0 ? limit + 1 : undefined)
    .map((l) => l.split('\t'))
    .map((f) => ({ id: f[idCol], path: resolve(base, f[pathCol]), text: f[textCol] }));
}

const list = <T>(value: string | undefined, fallback: string, parse: (s: string) => T): T[] => (value ?? fallback).split(',').map((s) => parse(s.trim()));

export async function encodeAll(model: LoadedModel, utts: readonly Utterance[]) {
  const { frontEnd, normStats } = model.config;
  const out = [];
  for (const u of utts) {
    const audio = await readWavFile(u.path, { targetRate: frontEnd.sampleRate });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const features = normalise(computeLogMel(audio, frontEnd, u.path), normStats, 'normStats');
    const encoded = await model.encoder.encode(features.data, features.frames);
    const cpu = process.cpuUsage(cpu0);
    out.push({ utt: u, encoded, seconds: audio.samples.length / audio.sampleRate, frontMs: performance.now() - t0, frontCpuMs: (cpu.user + cpu.system) / 1000 });
  }
  return out;
}

export interface SettingScore {
  readonly wer: number;
  readonly cer: number;
  readonly rtf: number; // wall
  readonly cpuRtf: number; // user + system CPU time
}

/** WER / CER / RTF of one decoding setting over utterances already encoded (encodeAll). */
export async function scoreSetting(model: LoadedModel, encoded: Awaited<ReturnType<typeof encodeAll>>, options: Partial<DecodingOptions>): Promise<SettingScore> {
  const ctx = decodeContextOf(model);
  const seconds = encoded.reduce((a, e) => a + e.seconds, 0);
  const frontMs = encoded.reduce((a, e) => a + e.frontMs, 0);
  const frontCpuMs = encoded.reduce((a, e) => a + e.frontCpuMs, 0);
  const scores: UtteranceScore[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const e of encoded) scores.push(scoreUtterance(e.utt.id, e.utt.text, (await decodeEncoded(model.decoder, e.encoded, ctx, options)).text));
  const cpu = process.cpuUsage(cpu0);
  const pooled = poolScores(scores);
  return {
    wer: pooled.wer,
    cer: pooled.cer,
    rtf: (frontMs + performance.now() - t0) / 1000 / seconds,
    // On a shared machine, wall time also counts the other jobs.
    cpuRtf: (frontCpuMs + (cpu.user + cpu.system) / 1000) / 1000 / seconds,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      modes: { type: 'string' },
      beams: { type: 'string' },
      'ctc-weights': { type: 'string' },
      'lm-weights': { type: 'string' },
      'oov-penalties': { type: 'string' },
      'word-penalties': { type: 'string' },
      'word-lm-weights': { type: 'string' },
      'length-penalty': { type: 'string' },
      lefts: { type: 'string' },
      rights: { type: 'string' },
      limit: { type: 'string' },
      model: { type: 'string' },
      segmented: { type: 'boolean' },
      precision: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new Error('give one manifest');
  const utts = readManifest(positionals[0], Number(values.limit ?? 0));
  const model = await loadModel(values.model ?? DEFAULT_MODEL_DIR, { intraOpThreads: 1, precision: values.precision as Precision | undefined });
  try {
    if (values.segmented) {
      await segmentedSweep(model, utts, values, positionals[0]);
      return;
    }
    const encoded = await encodeAll(model, utts);
    const seconds = encoded.reduce((a, e) => a + e.seconds, 0);
    console.log(`# ${positionals[0]}: ${utts.length} utterances, ${seconds.toFixed(1)} s, model ${model.dir} (encoder ${model.precision.encoder}, decoder ${model.precision.decoder})`);
    console.log('mode\tbeam\tctcWeight\tlmWeight\toovPenalty\twordPenalty\twordLmWeight\tlengthPenalty\tWER %\tCER %\tRTF\tCPU RTF' + (values.lefts === undefined && values.rights === undefined ? '' : '\tleft\tright'));
    const lmWeights = values['lm-weights'] === undefined ? [undefined] : list(values['lm-weights'], '', Number);
    const oovPenalties = values['oov-penalties'] === undefined ? [undefined] : list(values['oov-penalties'], '', Number);
    const wordPenalties = values['word-penalties'] === undefined ? [undefined] : list(values['word-penalties'], '', Number);
    const wordLmWeights = values['word-lm-weights'] === undefined ? [undefined] : list(values['word-lm-weights'], '', Number);
    // local mode's window [p - left, p + right]; the bundle's own (config.json attention.local) unless given
    const lefts = values.lefts === undefined ? [undefined] : list(values.lefts, '', Number);
    const rights = values.rights === undefined ? [undefined] : list(values.rights, '', Number);
    for (const mode of list(values.modes, 'global,local', (x) => x as ModeName)) {
      if (!MODE_NAMES.includes(mode)) throw new Error(`unknown mode ${mode}`);
      for (const beam of list(values.beams, '1,4', Number))
        for (const ctcWeight of list(values['ctc-weights'], '0,0.5', Number))
          for (const lmWeight of lmWeights)
          for (const oovPenalty of oovPenalties)
          for (const wordPenalty of wordPenalties)
          for (const wordLmWeight of wordLmWeights)
          for (const lengthPenalty of list(values['length-penalty'], '1', Number))
          for (const left of lefts)
          for (const right of rights) {
            const window = { ...(left === undefined ? {} : { left }), ...(right === undefined ? {} : { right }) };
            const r = await scoreSetting(model, encoded, { mode, beam, ctcWeight, lmWeight, oovPenalty, wordPenalty, wordLmWeight, lengthPenalty, ...window });
            const windowColumns = values.lefts === undefined && values.rights === undefined ? '' : `\t${left ?? 'bundle'}\t${right ?? 'bundle'}`;
            console.log(`${mode}\t${beam}\t${ctcWeight}\t${lmWeight ?? 'bundle'}\t${oovPenalty ?? 'bundle'}\t${wordPenalty ?? 'bundle'}\t${wordLmWeight ?? 'bundle'}\t${lengthPenalty}\t${(100 * r.wer).toFixed(1)}\t${(100 * r.cer).toFixed(1)}\t${r.rtf.toFixed(4)}\t${r.cpuRtf.toFixed(4)}${windowColumns}`);
          }
    }
  } finally {
    await model.dispose();
  }
}

async function segmentedSweep(model: LoadedModel, utts: readonly Utterance[], values: Record<string, string | boolean | undefined>, manifest: string): Promise<void> {
  console.log(`# ${manifest}: ${utts.length} recordings through transcribe() (segmented), model ${model.dir}`);
  console.log('mode\tbeam\tctcWeight\tlengthPenalty\tWER %\tCER %\tRTF\tCPU RTF\tsegments');
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  for (const mode of list(str('modes'), 'global,local', (x) => x as ModeName))
    for (const beam of list(str('beams'), '1,4', Number))
      for (const ctcWeight of list(str('ctc-weights'), '0,0.5', Number))
        for (const lengthPenalty of list(str('length-penalty'), '1', Number)) {
          const texts: string[] = [];
          let ms = 0;
          let seconds = 0;
          let segments = 0;
          const cpu0 = process.cpuUsage();
          for (const u of utts) {
            const r = await transcribe(u.path, { model, mode, beam, ctcWeight, lengthPenalty });
            texts.push(r.text);
            ms += r.timing.totalMs;
            seconds += r.timing.audioSeconds;
            segments += r.segments.length;
          }
          const cpu = process.cpuUsage(cpu0); // transcribe() only: scoring long texts is not its cost
          const pooled = poolScores(utts.map((u, i) => scoreUtterance(u.id, u.text, texts[i])));
          const cpuRtf = (cpu.user + cpu.system) / 1e6 / seconds;
          console.log(`${mode}\t${beam}\t${ctcWeight}\t${lengthPenalty}\t${(100 * pooled.wer).toFixed(1)}\t${(100 * pooled.cer).toFixed(1)}\t${(ms / 1000 / seconds).toFixed(4)}\t${cpuRtf.toFixed(4)}\t${segments}`);
        }
}

// Run as a script; imported (by bench/decodingTable.ts), it only lends its functions.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
