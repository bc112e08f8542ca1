import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16, readWavFile, type Audio } from '../../src/audio/index.ts';
import { SAMPLES } from '../cli/runCli.ts';

const RATE = 16000;
const SAMPLE_FILES = ['longform-mixed.wav', 'flite-kal-sentence.wav', 'flite-slt-weather.wav', 'festival-kal-note.wav', 'espeak-command.wav'];

/** The speech of samples/ end to end at 16 kHz: where the test clips are cut from. */
export async function sampleSpeech(): Promise<Float32Array> {
  const parts = await Promise.all(SAMPLE_FILES.map((f) => readWavFile(join(SAMPLES, f), { targetRate: RATE })));
  const out = new Float32Array(parts.reduce((n, p) => n + p.samples.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p.samples, at);
    at += p.samples.length;
  }
  return out;
}

/** Clip k: 0.3 to 1 s of speech from a place of its own, so no two clips have the same bytes (the same hash would make them one job). */
export function clip(speech: Float32Array, k: number): Audio {
  const seconds = 0.3 + (k % 8) * 0.1;
  const start = Math.round(k * 0.23 * RATE) % (speech.length - RATE);
  return { samples: speech.slice(start, start + Math.round(seconds * RATE)), sampleRate: RATE };
}

export const CORRUPTIONS = ['notWav', 'truncatedHeader', 'tooShort', 'unsupported', 'empty'] as const;

/** A broken file of each kind, distinct for each k (a corrupted copy of clip k). */
export function corrupt(speech: Float32Array, k: number, kind: (typeof CORRUPTIONS)[number]): Uint8Array {
  const wav = encodeWav16(clip(speech, k));
  const view = new DataView(wav.buffer);
  switch (kind) {
    case 'notWav':
      return new TextEncoder().encode(`this is not a WAV file, number ${k}\n`);
    case 'truncatedHeader':
      view.setUint32(4, 1000 + k, true); // RIFF size: distinct bytes for each k
      return wav.slice(0, 14 + (k % 20));
    case 'tooShort':
      return encodeWav16({ samples: clip(speech, k).samples.slice(0, 80), sampleRate: RATE }); // 5 ms
    case 'unsupported':
      view.setUint16(20, 2, true); // format tag 2: MS ADPCM
      return wav;
    case 'empty':
      return new Uint8Array(0);
    default: {
      const unreachable: never = kind;
      throw new Error(String(unreachable));
    }
  }
}

export interface Batch {
  readonly good: readonly string[];
  readonly bad: readonly string[];
}

/** `total` WAV files in `dir`, every `badEvery`-th one broken (one empty file at most: all empty files are the same content). */
export function writeBatch(dir: string, speech: Float32Array, total: number, badEvery: number): Batch {
  mkdirSync(dir, { recursive: true });
  const good: string[] = [];
  const bad: string[] = [];
  let broken = 0;
  for (let k = 0; k < total; k++) {
    const path = join(dir, `clip-${String(k).padStart(4, '0')}.wav`);
    if (k % badEvery === badEvery - 1) {
      const kind = broken === 0 ? 'empty' : CORRUPTIONS[broken % (CORRUPTIONS.length - 1)]!;
      writeFileSync(path, corrupt(speech, k, kind));
      bad.push(path);
      broken++;
    } else {
      writeFileSync(path, encodeWav16(clip(speech, k)));
      good.push(path);
    }
  }
  return { good, bad };
}
