import { performance } from 'node:perf_hooks';
import type { Audio } from '../src/audio/index.ts';
import type { ModeName } from '../src/attention/index.ts';
import { poolScores, scoreUtterance } from '../src/metrics/index.ts';
import type { LoadedModel } from '../src/model/index.ts';
import type { FinalEvent, StreamEvent } from '../src/streaming/events.ts';
import type { StreamingOptionsInput } from '../src/streaming/options.ts';
import { createStreamingRecognizer } from '../src/streaming/recognizer.ts';
import { loadModel } from '../src/offline/transcribe.ts';
import { quietRoom } from './quietRoom.ts';
import { benchModelDir, loadSamples, type Sample } from './transcribe.ts';

/**
 * Streaming recognition, as a microphone would feed it (100 ms chunks), on samples/ joined
 * into one stream with 2 s pauses (so the endpoint rules, not the end of the input, close each
 * utterance):
 * - token lag: for each character, the time from the audio it was read from (its attention
 *   peak) to its emission. Real-time pace is simulated on a virtual clock: chunk i arrives when
 *   its last sample has been "spoken" and is processed once the previous one is done, taking
 *   its measured compute time; a character's emission time is the end of the processing that
 *   produced it. Median and p95 per mode; global waits for the endpoint by design.
 * - finalisation latency: from the arrival of the chunk where an endpoint fires to its final.
 * - lag and WER for three right-context sizes R (local mode).
 * Memory over a one-hour stream is measured through the server, in bench/soak.ts.
 * Uses the trained bundle when it exists, else tiny-random (the names say which).
 */
type Row = { name: string; value: number; unit: string };

const RATE = 16_000;
const CHUNK = RATE / 10; // 100 ms
const GAP_SECONDS = 2;

interface Stream {
  readonly samples: Float32Array;
  readonly clips: readonly { readonly start: number; readonly end: number; readonly sample: Sample }[]; // seconds
}

function joinSamples(samples: readonly Sample[]): Stream {
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
  readonly lags: number[]; // seconds
  readonly finalLatencies: number[]; // seconds, endpoint finals only
  readonly finals: FinalEvent[];
}

/** Streams `samples` at simulated real-time pace (see the file comment). */
async function simulate(model: LoadedModel, samples: Float32Array, options: StreamingOptionsInput): Promise<Simulation> {
  const recognizer = createStreamingRecognizer(model, options);
  const result: Simulation = { lags: [], finalLatencies: [], finals: [] };
  const seen = new Map<number, number>(); // utterance -> characters already emitted
  let clock = 0; // when processing is free, in stream seconds
  const record = (events: readonly StreamEvent[], arrival: number) => {
    for (const e of events) {
      if (e.type === 'error') throw new Error(`stream failed: ${e.message}`);
      const already = seen.get(e.utterance) ?? 0;
      for (const t of e.tokens.slice(already)) result.lags.push(clock - t.start);
      seen.set(e.utterance, Math.max(already, e.tokens.length));
      if (e.type === 'final') {
        result.finals.push(e);
        if (e.reason !== 'end') result.finalLatencies.push(clock - arrival);
      }
    }
  };
  for (let i = 0; i < samples.length; i += CHUNK) {
    const chunk = samples.subarray(i, i + CHUNK);
    const arrival = (i + chunk.length) / RATE;
    clock = Math.max(clock, arrival);
    const started = performance.now();
    const events = await recognizer.push({ samples: chunk, sampleRate: RATE });
    clock += (performance.now() - started) / 1000;
    record(events, arrival);
  }
  const started = performance.now();
  const events = await recognizer.finish();
  clock += (performance.now() - started) / 1000;
  record(events, samples.length / RATE);
  return result;
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

export async function benchStreaming(): Promise<Row[]> {
  const { dir, trained } = benchModelDir();
  const model = await loadModel(dir);
  const tag = `[${model.card.name}${trained ? '' : ', random weights'}]`;
  if (!trained) console.log(`bench streaming: no trained model at ${dir.replace(/tiny-random$/, '...')}; using ${model.card.name} (lags and WER are not meaningful)`);
  try {
    const stream = joinSamples(await loadSamples());
    await simulate(model, stream.samples.subarray(0, 5 * RATE), { mode: 'local' }); // warm-up
    const rows: Row[] = [];
    const bundleRight = model.config.attention.right;
    for (const mode of ['local', 'global'] as ModeName[]) {
      const sim = await simulate(model, stream.samples, { mode });
      rows.push(
        { name: `${tag} token lag, ${mode} mode, median`, value: ms(quantile(sim.lags, 0.5)), unit: 'ms' },
        { name: `${tag} token lag, ${mode} mode, p95`, value: ms(quantile(sim.lags, 0.95)), unit: 'ms' },
        { name: `${tag} finalisation latency after an endpoint, ${mode} mode, median`, value: ms(quantile(sim.finalLatencies, 0.5)), unit: 'ms' },
        { name: `${tag} finalisation latency after an endpoint, ${mode} mode, max`, value: ms(quantile(sim.finalLatencies, 1)), unit: 'ms' },
        { name: `${tag} WER, ${mode} mode, streamed`, value: werOf(stream, sim.finals), unit: '%' },
      );
    }
    const rights = [...new Set([Math.max(0, Math.floor(bundleRight / 2)), bundleRight, 2 * bundleRight])].sort((a, b) => a - b);
    for (const right of rights) {
      const sim = await simulate(model, stream.samples, { mode: 'local', right });
      const label = `${tag} local R=${right}${right === bundleRight ? ' (bundle)' : ''}`;
      rows.push(
        { name: `${label}: token lag median`, value: ms(quantile(sim.lags, 0.5)), unit: 'ms' },
        { name: `${label}: token lag p95`, value: ms(quantile(sim.lags, 0.95)), unit: 'ms' },
        { name: `${label}: WER`, value: werOf(stream, sim.finals), unit: '%' },
      );
    }
    return rows;
  } finally {
    await model.dispose();
  }
}
