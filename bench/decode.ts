import nodeWav from 'node-wav';
import { decodeWav } from '../src/audio/index.ts';

/**
 * WAV decode throughput, as multiples of real time, on 60 s of 44.1 kHz stereo 16-bit audio
 * built in memory: the full path (decode, down-mix, resample to 16 kHz), the decode alone (no
 * resampling), and bare node-wav for comparison, which shows what the guarding around it costs.
 */
const SECONDS = 60;
const RATE = 44_100;
const CHANNELS = 2;
const RUNS = 3;

function stereoWav(): Uint8Array<ArrayBuffer> {
  const frames = SECONDS * RATE;
  const dataBytes = frames * CHANNELS * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => (bytes[offset + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, CHANNELS, true);
  view.setUint32(24, RATE, true);
  view.setUint32(28, RATE * CHANNELS * 2, true);
  view.setUint16(32, CHANNELS * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  // A chirp plus a little noise in each channel: broadband, like speech, not all zeros.
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    const t = i / RATE;
    const chirp = Math.sin(2 * Math.PI * (200 + 50 * t) * t);
    for (let ch = 0; ch < CHANNELS; ch++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = seed / 2 ** 32 - 0.5;
      view.setInt16(44 + (i * CHANNELS + ch) * 2, Math.round(12000 * chirp + 2000 * noise), true);
    }
  }
  return bytes;
}

function bestSeconds(run: () => void): number {
  run(); // warm-up: JIT and the resampler's filter table
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

export async function benchDecode(): Promise<{ name: string; value: number; unit: string }[]> {
  const wav = stereoWav();
  const full = bestSeconds(() => decodeWav(wav, { input: 'bench' }));
  const noResample = bestSeconds(() => decodeWav(wav, { input: 'bench', targetRate: RATE }));
  const bare = bestSeconds(() => nodeWav.decode(wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.byteLength)));
  const realTime = (seconds: number) => Math.round((SECONDS / seconds) * 10) / 10;
  return [
    { name: 'wav decode+downmix+resample, 44.1 kHz stereo s16 -> 16 kHz mono', value: realTime(full), unit: 'x real time' },
    { name: 'wav decode+downmix (checked node-wav wrapper), no resampling', value: realTime(noResample), unit: 'x real time' },
    { name: 'bare node-wav decode, for comparison', value: realTime(bare), unit: 'x real time' },
  ];
}
