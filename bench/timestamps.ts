/**
 * How close word times come to the truth, for each timestamp source (attention peaks or CTC
 * forced alignment) and attention mode. Each sentence of the manifest is spoken one word at a
 * time by its own voice, the word clips are cut to their sound (samples within 40 dB of the
 * clip's peak) and joined with known pauses, so every word's true span is known to the sample.
 * The joined clip is transcribed with the default decoding; over the words the hypothesis gets
 * right (the WER alignment's correct pairs), the start and end errors are pooled.
 *
 *   nice -n 15 npx tsx bench/timestamps.ts [--manifest training/work/corpus/validation.tsv] \
 *     [--skip-per-voice 20] [--per-voice 20] [--work /tmp/las-timestamps] [--model DIR] [--json FILE]
 *
 * The CTC times' two constants (src/decoding/ctcTiming.ts: the head's emission lag and a word's
 * onset before its first spike) were set from the median signed errors ("bias" columns) of the
 * first 20 sentences of each voice (--skip-per-voice 0 --per-voice 20); the default run measures
 * the next 20 of each voice, which did not set them.
 *
 * Validation voices only (RHVoice clb, Pico en-GB, espeak-ng mb-us2): a manifest with a
 * reserved test voice (slt, flite rms) is refused. The generated audio stays under --work.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readWavFile } from '../src/audio/index.ts';
import type { Audio } from '../src/audio/types.ts';
import { MODE_NAMES, type ModeName } from '../src/attention/index.ts';
import { encodeWav16 } from '../src/audio/wavWrite.ts';
import { DEFAULT_MODEL_DIR } from '../src/cli/defaultModel.ts';
import { TIMESTAMP_SOURCES, type TimedWord, type TimestampSource } from '../src/decoding/index.ts';
import { align } from '../src/metrics/index.ts';
import { loadModel, transcribe, type LoadedModel } from '../src/offline/transcribe.ts';
import { monotoneSpans } from '../src/report/subtitles.ts';

const RATE = 16_000;
/** A sample this far below the clip's peak (40 dB) is silence. */
const SILENCE_FRACTION = 0.01;
const LEAD_SECONDS = 0.3;
const GAP_SECONDS: readonly [number, number] = [0.15, 0.3];

interface Sentence {
  readonly id: string;
  readonly voice: string;
  readonly text: string;
}

export interface WordTruth {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** The reserved test voices: never spoken here. */
function assertValidationVoice(voice: string): void {
  if (/slt/i.test(voice) || /^flite:rms$/i.test(voice)) throw new Error(`${voice} is a reserved test voice: timestamps are measured on validation voices only`);
}

/** `perVoice` sentences of each voice, after skipping its first `skip` (the calibration half). */
function readSentences(manifest: string, perVoice: number, skip: number): Sentence[] {
  const [header, ...rows] = readFileSync(manifest, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = header.split('\t');
  const [idCol, voiceCol, textCol] = ['id', 'voice', 'text'].map((c) => cols.indexOf(c));
  if (idCol < 0 || voiceCol < 0 || textCol < 0) throw new Error(`${manifest}: needs id, voice and text columns`);
  const taken = new Map<string, number>();
  const out: Sentence[] = [];
  for (const row of rows) {
    const f = row.split('\t');
    const voice = f[voiceCol];
    assertValidationVoice(voice);
    const seen = taken.get(voice) ?? 0;
    taken.set(voice, seen + 1);
    if (seen >= skip && seen < skip + perVoice) out.push({ id: f[idCol], voice, text: f[textCol] });
  }
  return out;
}

/** Speaks one word with `voice` (engine:name, as the corpus manifests name voices) into `wav`. */
function speak(voice: string, word: string, wav: string): void {
  const [engine, name] = voice.split(':');
  const textFile = `${wav}.txt`;
  writeFileSync(textFile, `${word}\n`);
  if (engine === 'rhvoice') execFileSync('RHVoice-test', ['-p', name, '-i', textFile, '-o', wav], { stdio: 'ignore' });
  else if (engine === 'pico') execFileSync('pico2wave', ['-l', name, '-w', wav, word], { stdio: 'ignore' });
  else if (engine === 'espeak') execFileSync('espeak-ng', ['-v', name, '-w', wav, '-f', textFile], { stdio: 'ignore' });
  else throw new Error(`no engine for voice ${voice}`);
}

/** The clip cut to its sound: from the first to the last sample within 40 dB of its peak. */
export function trimToSound(samples: Float32Array): Float32Array {
  let peak = 0;
  for (const x of samples) peak = Math.max(peak, Math.abs(x));
  const threshold = peak * SILENCE_FRACTION;
  let first = 0;
  while (first < samples.length && Math.abs(samples[first]) <= threshold) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last]) <= threshold) last--;
  return samples.slice(first, last + 1);
}

/** Word clips joined by pauses drawn from GAP_SECONDS (a fixed sequence, so every run joins the same). */
export function joinWords(words: readonly string[], clips: readonly Float32Array[], seed: number): { audio: Audio; truth: WordTruth[] } {
  let state = seed >>> 0 || 1;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const gaps = clips.map((_, i) => (i === 0 ? LEAD_SECONDS : GAP_SECONDS[0] + (GAP_SECONDS[1] - GAP_SECONDS[0]) * random()));
  const total = clips.reduce((n, c, i) => n + Math.round(gaps[i] * RATE) + c.length, 0) + Math.round(LEAD_SECONDS * RATE);
  const samples = new Float32Array(total);
  const truth: WordTruth[] = [];
  let at = 0;
  clips.forEach((clip, i) => {
    at += Math.round(gaps[i] * RATE);
    samples.set(clip, at);
    truth.push({ word: words[i], start: at / RATE, end: (at + clip.length) / RATE });
    at += clip.length;
  });
  return { audio: { samples, sampleRate: RATE }, truth };
}

export interface Errors {
  readonly start: number[]; // signed seconds: hypothesis - truth
  readonly end: number[];
}

/** Signed start and end errors over the words the hypothesis gets right. */
export function wordErrors(truth: readonly WordTruth[], hyp: readonly TimedWord[], into: Errors): void {
  const pairs = align(truth.map((w) => w.word), hyp.map((w) => w.word)).pairs;
  let r = 0;
  let h = 0;
  for (const p of pairs) {
    if (p.op === 'C') {
      into.start.push(hyp[h].start - truth[r].start);
      into.end.push(hyp[h].end - truth[r].end);
    }
    if (p.ref !== null) r++;
    if (p.hyp !== null) h++;
  }
}

const quantile = (values: readonly number[], q: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

export interface Summary {
  readonly words: number;
  readonly startMedian: number;
  readonly startP90: number;
  readonly endMedian: number;
  readonly endP90: number;
  readonly startBias: number; // median signed error
  readonly endBias: number;
}

export function summarise(e: Errors): Summary {
  const abs = (v: number[]) => v.map(Math.abs);
  return {
    words: e.start.length,
    startMedian: quantile(abs(e.start), 0.5),
    startP90: quantile(abs(e.start), 0.9),
    endMedian: quantile(abs(e.end), 0.5),
    endP90: quantile(abs(e.end), 0.9),
    startBias: quantile(e.start, 0.5),
    endBias: quantile(e.end, 0.5),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      manifest: { type: 'string', default: 'training/work/corpus/validation.tsv' },
      'per-voice': { type: 'string', default: '20' },
      'skip-per-voice': { type: 'string', default: '20' },
      work: { type: 'string', default: '/tmp/las-timestamps' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      json: { type: 'string' },
    },
  });
  const sentences = readSentences(resolve(values.manifest), Number(values['per-voice']), Number(values['skip-per-voice']));
  mkdirSync(values.work, { recursive: true });
  const model: LoadedModel = await loadModel(values.model, { intraOpThreads: 1 });
  // [mode][source][spans] -> errors; spans: 'raw' are the decoder's, 'shown' what SRT/VTT/JSON print (monotoneSpans).
  const errors = new Map<string, Errors>();
  const key = (mode: ModeName, source: TimestampSource, spans: string) => `${mode}\t${source}\t${spans}`;
  const bucket = (k: string) => errors.get(k) ?? (errors.set(k, { start: [], end: [] }), errors.get(k)!);
  let refWords = 0;
  try {
    for (const [n, s] of sentences.entries()) {
      const words = s.text.split(' ').filter((w) => w !== '');
      const clips = await Promise.all(
        words.map(async (word, i) => {
          const wav = join(values.work, `${s.id}-${i}.wav`);
          speak(s.voice, word, wav);
          return trimToSound((await readWavFile(wav, { targetRate: RATE })).samples);
        }),
      );
      const { audio, truth } = joinWords(words, clips, n + 1);
      writeFileSync(join(values.work, `${s.id}.wav`), encodeWav16(audio));
      writeFileSync(join(values.work, `${s.id}.json`), JSON.stringify(truth));
      refWords += truth.length;
      const duration = audio.samples.length / RATE;
      for (const mode of MODE_NAMES)
        for (const source of TIMESTAMP_SOURCES) {
          const result = await transcribe(audio, { model, mode, timestamps: source, input: s.id });
          wordErrors(truth, result.words, bucket(key(mode, source, 'raw')));
          wordErrors(truth, monotoneSpans(result.words, duration), bucket(key(mode, source, 'shown')));
        }
      process.stderr.write(`\r${n + 1}/${sentences.length} sentences`);
    }
  } finally {
    await model.dispose();
  }
  process.stderr.write('\n');
  const rows = [...errors].map(([k, e]) => {
    const [mode, source, spans] = k.split('\t');
    return { mode, source, spans, ...summarise(e) };
  });
  const ms = (x: number) => (x * 1000).toFixed(0);
  console.log(`${sentences.length} sentences, ${refWords} words (${[...new Set(sentences.map((s) => s.voice))].join(', ')}); errors in ms over correctly recognised words`);
  console.log('| mode | times from | spans | words | start median | start p90 | end median | end p90 | start bias | end bias |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.mode} | ${r.source} | ${r.spans} | ${r.words} | ${ms(r.startMedian)} | ${ms(r.startP90)} | ${ms(r.endMedian)} | ${ms(r.endP90)} | ${ms(r.startBias)} | ${ms(r.endBias)} |`);
  if (values.json !== undefined) {
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify({ sentences: sentences.length, words: refWords, rows, errors: Object.fromEntries(errors) })}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
