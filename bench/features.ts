import { DEFAULT_FRONTEND, computeLogMel, createLogMelStream } from '../src/features/index.ts';

/**
 * Log-mel throughput on one thread, in multiples of real time (audio seconds per second of
 * this process's CPU time, so that time spent descheduled on a shared machine does not
 * count), for the batch path and for streaming in 100 ms chunks. Best of several runs: the
 * least disturbed one.
 */
export async function benchFeatures(): Promise<{ name: string; value: number; unit: string }[]> {
  const cfg = DEFAULT_FRONTEND;
  const seconds = 60;
  const samples = new Float32Array(seconds * cfg.sampleRate);
  let seed = 12345;
  for (let i = 0; i < samples.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    samples[i] = (seed / 2 ** 32 - 0.5) * 0.5;
  }
  const chunk = cfg.sampleRate / 10; // 100 ms
  const runs = 15;

  const best = (work: () => number): number => {
    work(); // warm up the JIT and the per-config caches
    let fastest = Infinity;
    for (let r = 0; r < runs; r++) {
      const t0 = process.cpuUsage();
      const frames = work();
      const used = process.cpuUsage(t0);
      const elapsed = (used.user + used.system) / 1e6;
      if (frames <= 0) throw new Error('benchmark produced no frames');
      fastest = Math.min(fastest, elapsed);
    }
    return seconds / fastest;
  };

  const batch = best(() => computeLogMel(samples, cfg).frames);
  const streaming = best(() => {
    const stream = createLogMelStream(cfg);
    let frames = 0;
    for (let at = 0; at < samples.length; at += chunk) frames += stream.push(samples.subarray(at, at + chunk)).frames;
    return frames;
  });
  return [
    { name: 'features.logMel.batch', value: Math.round(batch), unit: 'x real time' },
    { name: 'features.logMel.stream100ms', value: Math.round(streaming), unit: 'x real time' },
  ];
}
