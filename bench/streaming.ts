import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { readWavFile } from '../src/audio/index.ts';
import type { ModeName } from '../src/attention/index.ts';
import { align, poolScores, scoreUtterance } from '../src/metrics/index.ts';
import type { LoadedModel } from '../src/model/index.ts';
import { PARTIAL_SOURCES } from '../src/streaming/partialSource.ts';
import type { FinalEvent, StreamEvent } from '../src/streaming/events.ts';
import type { StreamingOptionsInput } from '../src/streaming/options.ts';
import { createStreamingRecognizer } from '../src/streaming/recognizer.ts';
import { loadModel, transcribe } from '../src/offline/transcribe.ts';
import { readManifest } from './evalDecoding.ts';
import { quietRoom } from './quietRoom.ts';
import { benchModelDir, loadSamples, type Sample } from './transcribe.ts';

/**
 * Streaming recognition, as a microphone would feed it (100 ms chunks), on clips joined into
 * one stream with 2 s pauses (so the endpoint rules, not the end of the input, close each
 * utterance): samples/, and 40 validation utterances (rows 101-140 of validation.tsv; rows
 * 1-40 were used to choose SAME_CHARACTER_FRAMES in src/streaming/partialSource.ts). Real-time
 * pace is simulated on a virtual clock: chunk i arrives when its last sample has been
 * "spoken" and is processed once the previous one is done, taking its measured compute time.
 *
 * - token lag, against a reference that does not depend on how partials are made: each
 *   character of each final (spaces excluded) has the time its offline decode gives it (the
 *   final's timestamps: CTC forced alignment of the final text, or its attention peak), and
 *   is "shown" from the moment the partial text last came to hold it and kept it until the
 *   final (the last partial is aligned to the final by edit distance; a character the partials
 *   never held stably is shown by the final). Lag = shown - reference. Also without compute
 *   time (shown when the audio chunk that showed it arrived): the method's own lag, whatever
 *   else the machine is doing.
 * - self-timed lag (the measure before issue 9): each emitted character against its own
 *   token time, as the partial that emitted it says.
 * - revisions: partials that took back characters already shown, and the characters taken back.
 * - finalisation latency: from the arrival of the chunk where an endpoint fires to its final.
 * - for R = bundle/2, bundle, 2 x bundle (local mode), with each partial source; and at the
 *   bundle's R with the encoder chunk of before (chunkFrames 16: 160 ms, four times the default).
 * - the finals against offline transcription (benchFinals): streamed WER and finalisation
 *   latency per mode with the streamed finals as they were before issue 9 (beam 1, each
 *   utterance starting at the previous endpoint, so with the whole pause before its clip), with
 *   only the leading silence cut, and with the defaults (the offline decoding's beam, CTC weight
 *   and LM, leading silence cut); next to them, the WER of each clip transcribed alone with
 *   transcribe()'s defaults.
 * Memory over a one-hour stream is measured through the server, in bench/soak.ts.
 * Uses the trained bundle when it exists, else tiny-random (the names say which).
 *
 * Alone: nice -n 15 npx tsx bench/streaming.ts; only the finals: nice -n 15 npx tsx bench/streaming.ts --finals
 */
type Row = { name: string; value: number; unit: string };

const RATE = 16_000;
const CHUNK = RATE / 10; // 100 ms
const GAP_SECONDS = 2;
const VALIDATION = resolve(import.meta.dirname, '../training/work/corpus/validation.tsv');
const VALIDATION_ROWS = [100, 140] as const; // [first, end) data rows
const LONG_CHUNK = 16; // feature frames per encoder call: the default until 2026-12-01 (now 4)

interface Stream {
  readonly samples: Float32Array;
  readonly clips: readonly { readonly start: number; readonly end: number; readonly sample: Sample }[]; // seconds
}

export function joinSamples(samples: readonly Sample[]): Stream {
  const gap = Math.round(GAP_SECONDS * RATE);
  const total = samples.reduce((n, s) => n + s.audio.samples.length + gap, gap);
  const out = quietRoom(total, 7);
  const clips: Stream['clips'][number][] = [];
  let at = gap;
  for (const sample of samples) {
    out.set(sample.audio.samples, at);
    clips.push({ start: at / RATE, end: (at + sample.audio.samples.length) / RATE, sample });
    at += sample.audio.samples.length + gap;
  }
  return { samples: out, clips };
}

interface Simulation {
  readonly lags: number[]; // seconds, against the final's token times
  readonly audioLags: number[]; // the same with compute time not counted (shown when its audio chunk arrived)
  readonly selfLags: number[]; // seconds, against each emitted token's own time
  readonly partialLags: number[]; // seconds: lags of the characters a partial showed first
  finalOnly: number; // characters of the finals that only the final showed
  readonly finalLatencies: number[]; // seconds, endpoint finals only
  readonly finals: FinalEvent[];
  computeSeconds: number; // recognizer time, pushes and finish
  partials: number;
  revisedPartials: number;
  shownCharacters: number;
  withdrawnCharacters: number;
}

/** A character on screen and since when (virtual clock), and the arrival of the audio chunk that showed it. */
type Shown = { readonly token: string; readonly since: number; readonly arrived: number };

/** Streams `samples` at simulated real-time pace (see the file comment). */
export async function simulate(model: LoadedModel, samples: Float32Array, options: StreamingOptionsInput): Promise<Simulation> {
  const recognizer = createStreamingRecognizer(model, options);
  const result: Simulation = { lags: [], audioLags: [], selfLags: [], partialLags: [], finalOnly: 0, computeSeconds: 0, finalLatencies: [], finals: [], partials: 0, revisedPartials: 0, shownCharacters: 0, withdrawnCharacters: 0 };
  const display = new Map<number, Shown[]>(); // utterance -> its partial text as shown
  const selfSeen = new Map<number, number>(); // utterance -> characters already emitted (self-timed measure)
  let clock = 0; // when processing is free, in stream seconds
  const record = (events: readonly StreamEvent[], arrival: number) => {
    for (const e of events) {
      if (e.type === 'error') throw new Error(`stream failed: ${e.message}`);
      const already = selfSeen.get(e.utterance) ?? 0;
      for (const t of e.tokens.slice(already)) result.selfLags.push(clock - t.start);
      selfSeen.set(e.utterance, Math.max(already, e.tokens.length));
      const before = display.get(e.utterance) ?? [];
      if (e.type === 'partial') {
        // A character the new partial holds where the last one did (edit-distance alignment) stays on screen.
        const now: Shown[] = [];
        const kept = matchEqual(e.tokens, before, (t, was) => now.push(was ?? { token: t.token, since: clock, arrived: arrival }));
        result.partials++;
        if (kept < before.length) {
          result.revisedPartials++;
          result.withdrawnCharacters += before.length - kept;
        }
        result.shownCharacters += e.tokens.length - kept;
        display.set(e.utterance, now);
        continue;
      }
      result.finals.push(e);
      if (e.reason !== 'end') result.finalLatencies.push(clock - arrival);
      // The final's characters against the last partial: a character both hold was shown since then.
      matchEqual(e.tokens, before, (t, was) => {
        if (t.token === ' ') return;
        result.lags.push((was?.since ?? clock) - t.start);
        result.audioLags.push((was?.arrived ?? arrival) - t.start);
        if (was === undefined) result.finalOnly++;
        else result.partialLags.push(was.since - t.start);
      });
      display.delete(e.utterance);
    }
  };
  for (let i = 0; i < samples.length; i += CHUNK) {
    const chunk = samples.subarray(i, i + CHUNK);
    const arrival = (i + chunk.length) / RATE;
    clock = Math.max(clock, arrival);
    const started = performance.now();
    const events = await recognizer.push({ samples: chunk, sampleRate: RATE });
    result.computeSeconds += (performance.now() - started) / 1000;
    clock += (performance.now() - started) / 1000;
    record(events, arrival);
  }
  const started = performance.now();
  const events = await recognizer.finish();
  result.computeSeconds += (performance.now() - started) / 1000;
  clock += (performance.now() - started) / 1000;
  record(events, samples.length / RATE);
  return result;
}

/**
 * Aligns `next` to `previous` by edit distance; calls `visit` for each token of `next`, in
 * order, with the token of `previous` it equals there (undefined: new or changed). Returns how
 * many tokens of `previous` were kept.
 */
function matchEqual<T extends { readonly token: string }, U extends { readonly token: string }>(next: readonly T[], previous: readonly U[], visit: (t: T, was: U | undefined) => void): number {
  let n = 0;
  let p = 0;
  let kept = 0;
  for (const pair of align(next.map((t) => t.token), previous.map((t) => t.token)).pairs) {
    if (pair.ref !== null) {
      visit(next[n], pair.op === 'C' ? previous[p] : undefined);
      n++;
    }
    if (pair.op === 'C') kept++;
    if (pair.hyp !== null) p++;
  }
  return kept;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Word error rate (%) of the finals, each assigned to the clip its audio overlaps most. */
function werOf(stream: Stream, finals: readonly FinalEvent[]): number {
  const texts = stream.clips.map(() => [] as string[]);
  for (const f of finals) {
    if (f.text === '') continue;
    let best = -1;
    let bestOverlap = 0;
    stream.clips.forEach((c, k) => {
      const overlap = Math.min(f.end, c.end) - Math.max(f.start, c.start);
      if (overlap > bestOverlap) [best, bestOverlap] = [k, overlap];
    });
    if (best >= 0) texts[best].push(f.text);
  }
  const scores = stream.clips.map((c, k) => scoreUtterance(c.sample.id, c.sample.reference, texts[k].join(' ')));
  return round(poolScores(scores).wer * 100, 1);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const ms = (seconds: number) => round(seconds * 1000, 0);
const percent = (part: number, whole: number) => round((100 * part) / Math.max(whole, 1), 1);

export async function validationSamples(): Promise<Sample[]> {
  const rows = readManifest(VALIDATION, VALIDATION_ROWS[1]).slice(VALIDATION_ROWS[0]);
  return Promise.all(rows.map(async (r) => ({ id: r.id, path: r.path, audio: await readWavFile(r.path, { targetRate: RATE }), reference: r.text })));
}

export function lagRows(label: string, stream: Stream, sim: Simulation, withRevisions: boolean): Row[] {
  return [
    { name: `${label}: token lag median`, value: ms(quantile(sim.lags, 0.5)), unit: 'ms' },
    { name: `${label}: token lag p95`, value: ms(quantile(sim.lags, 0.95)), unit: 'ms' },
    { name: `${label}: token lag median, compute not counted`, value: ms(quantile(sim.audioLags, 0.5)), unit: 'ms' },
    { name: `${label}: characters shown first by a partial: their lag median`, value: ms(quantile(sim.partialLags, 0.5)), unit: 'ms' },
    { name: `${label}: characters only the final showed`, value: percent(sim.finalOnly, sim.lags.length), unit: `% of ${sim.lags.length}` },
    { name: `${label}: self-timed token lag median`, value: ms(quantile(sim.selfLags, 0.5)), unit: 'ms' },
    ...(withRevisions
      ? [
          { name: `${label}: partials that took characters back`, value: percent(sim.revisedPartials, sim.partials), unit: `% of ${sim.partials}` },
          { name: `${label}: characters taken back`, value: percent(sim.withdrawnCharacters, sim.shownCharacters), unit: `% of ${sim.shownCharacters} shown` },
        ]
      : []),
    { name: `${label}: WER, streamed`, value: werOf(stream, sim.finals), unit: '%' },
    { name: `${label}: RTF (recognizer compute / audio)`, value: round(sim.computeSeconds / (stream.samples.length / RATE), 4), unit: '' },
  ];
}

/** The streamed finals' settings benchFinals compares: before issue 9, one change at a time, the defaults. */
const FINAL_SETTINGS: readonly (readonly [string, StreamingOptionsInput])[] = [
  ['beam 1, whole pause kept (before issue 9)', { beam: 1, endpoint: { leadingSilence: Number.POSITIVE_INFINITY } }],
  ['beam 1, leading silence cut', { beam: 1 }],
  ['defaults (offline beam, CTC weight and LM; leading silence cut)', {}],
];

/** Streamed finals against offline transcription of each clip alone (see the file comment). */
export async function benchFinals(model: LoadedModel, sets: readonly (readonly [string, Stream])[], tag: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [set, stream] of sets)
    for (const mode of ['local', 'global'] as ModeName[]) {
      const alone = [];
      for (const c of stream.clips) alone.push(scoreUtterance(c.sample.id, c.sample.reference, (await transcribe(c.sample.audio, { model, mode })).text));
      rows.push({ name: `${tag} ${set}, ${mode} mode: WER of each clip transcribed alone (transcribe() defaults)`, value: round(poolScores(alone).wer * 100, 1), unit: '%' });
      for (const [label, options] of FINAL_SETTINGS) {
        const sim = await simulate(model, stream.samples, { ...options, mode });
        rows.push(
          { name: `${tag} ${set}, ${mode} mode, finals ${label}: WER, streamed`, value: werOf(stream, sim.finals), unit: '%' },
          { name: `${tag} ${set}, ${mode} mode, finals ${label}: finalisation latency after an endpoint, median`, value: ms(quantile(sim.finalLatencies, 0.5)), unit: 'ms' },
          { name: `${tag} ${set}, ${mode} mode, finals ${label}: finalisation latency after an endpoint, p95`, value: ms(quantile(sim.finalLatencies, 0.95)), unit: 'ms' },
          { name: `${tag} ${set}, ${mode} mode, finals ${label}: finalisation latency after an endpoint, max`, value: ms(quantile(sim.finalLatencies, 1)), unit: 'ms' },
        );
      }
    }
  return rows;
}

export async function benchStreaming(onlyFinals = false): Promise<Row[]> {
  const { dir, trained } = benchModelDir();
  const model = await loadModel(dir);
  const tag = `[${model.card.name}${trained ? '' : ', random weights'}]`;
  if (!trained) console.log(`bench streaming: no trained model at ${dir.replace(/tiny-random$/, '...')}; using ${model.card.name} (lags and WER are not meaningful)`);
  try {
    const sets: [string, Stream][] = [['samples', joinSamples(await loadSamples())]];
    if (existsSync(VALIDATION)) sets.push([`validation ${VALIDATION_ROWS[0] + 1}-${VALIDATION_ROWS[1]}`, joinSamples(await validationSamples())]);
    else console.log(`bench streaming: no ${VALIDATION} (made by the training recipe); samples only`);
    await simulate(model, sets[0][1].samples.subarray(0, 5 * RATE), { mode: 'local' }); // warm-up
    const rows: Row[] = await benchFinals(model, sets, tag);
    if (onlyFinals) return rows;
    const bundleRight = model.config.attention.right;
    const [, samples] = sets[0];
    for (const mode of ['local', 'global'] as ModeName[]) {
      const sim = await simulate(model, samples.samples, { mode });
      rows.push(
        ...lagRows(`${tag} samples, ${mode} mode (default options)`, samples, sim, mode === 'local'),
        { name: `${tag} samples, ${mode} mode: finalisation latency after an endpoint, median`, value: ms(quantile(sim.finalLatencies, 0.5)), unit: 'ms' },
        { name: `${tag} samples, ${mode} mode: finalisation latency after an endpoint, max`, value: ms(quantile(sim.finalLatencies, 1)), unit: 'ms' },
      );
    }
    const rights = [...new Set([Math.max(0, Math.floor(bundleRight / 2)), bundleRight, 2 * bundleRight])].sort((a, b) => a - b);
    for (const [set, stream] of sets)
      for (const right of rights)
        for (const partialSource of PARTIAL_SOURCES) {
          const sim = await simulate(model, stream.samples, { mode: 'local', right, partialSource });
          rows.push(...lagRows(`${tag} ${set}, local R=${right}${right === bundleRight ? ' (bundle)' : ''}, partials ${partialSource}`, stream, sim, true));
        }
    for (const [set, stream] of sets)
      for (const partialSource of PARTIAL_SOURCES) {
        const sim = await simulate(model, stream.samples, { mode: 'local', chunkFrames: LONG_CHUNK, partialSource });
        rows.push(...lagRows(`${tag} ${set}, local R=${bundleRight} (bundle), chunk ${LONG_CHUNK} feature frames, partials ${partialSource}`, stream, sim, true));
      }
    return rows;
  } finally {
    await model.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await benchStreaming(process.argv.includes('--finals'))) console.log(`${row.name}\t${row.value}\t${row.unit}`);
}
