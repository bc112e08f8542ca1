import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWav, probeWav } from '../../src/audio/index.ts';
import { LasError } from '../../src/errors.ts';
import { simpleWav, type FixtureEncoding } from '../audio/wavFixture.ts';
import { SAMPLES } from '../cli/runCli.ts';
import { runs } from './runs.ts';

/**
 * The WAV parser takes bytes from outside. Random mutations of real files (byte flips, chunk
 * sizes overwritten, cuts, insertions) must give finite 16 kHz audio or a typed LasError naming
 * the input, never another exception, never Inf or NaN samples.
 */
const tone = (n: number, rate: number) => Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
const SEEDS: readonly Uint8Array[] = [
  // A real file, cut to its first 0.2 s with the sizes left as written (so also "truncated").
  readFileSync(join(SAMPLES, 'espeak-digits.wav')).subarray(0, 6444),
  readFileSync(join(SAMPLES, 'espeak-digits-8k-ulaw.wav')).subarray(0, 3000),
  ...(['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64', 'alaw', 'mulaw'] as FixtureEncoding[]).map((enc) => simpleWav([tone(1200, 16000)], enc, 16000)),
  simpleWav([tone(2205, 44100), tone(2205, 44100)], 'pcm16', 44100),
  simpleWav([tone(2400, 48000)], 'float32', 48000, { extensibleSubFormat: 3 }),
  simpleWav([tone(1600, 16000)], 'pcm16', 16000, { dataFirst: true, chunksBeforeFmt: [{ id: 'LIST', body: new Uint8Array(10) }] }),
];

/** One edit: overwrite a byte, overwrite a little-endian u32 (a chunk size), cut the file, insert bytes. */
interface Mutation {
  readonly kind: 'flip' | 'u32' | 'cut' | 'insert';
  readonly where: { readonly header?: number; readonly fraction?: number };
  readonly value: number;
  readonly bytes: Uint8Array;
}

// Positions as fractions, so one mutation means something on every seed; most land in the header.
const position = fc.oneof(fc.integer({ min: 0, max: 63 }).map((b) => ({ header: b })), fc.double({ min: 0, max: 1, noNaN: true }).map((f) => ({ fraction: f })));
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip' as const, 'u32' as const, 'cut' as const, 'insert' as const),
  where: position,
  value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 44, 16, 18, 40), fc.nat()),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
});

function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(seed);
  for (const m of mutations) {
    const at = m.where.header !== undefined ? Math.min(m.where.header, bytes.length) : Math.floor((m.where.fraction ?? 0) * bytes.length);
    if (m.kind === 'flip' && at < bytes.length) bytes[at] = m.value & 0xff;
    else if (m.kind === 'u32' && at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, m.value >>> 0, true);
    else if (m.kind === 'cut') bytes = bytes.slice(0, at);
    else if (m.kind === 'insert') bytes = Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
  }
  return bytes;
}

/** A result or a typed error; anything else fails the property. */
function decodesOrTypedError(bytes: Uint8Array): void {
  let info;
  try {
    info = probeWav(bytes, { input: 'fuzz.wav' });
  } catch (error) {
    expect(error).toBeInstanceOf(LasError);
    expect((error as LasError).input).toBe('fuzz.wav');
  }
  try {
    const audio = decodeWav(bytes, { input: 'fuzz.wav' });
    expect(info).toBeDefined(); // what decodes must also probe
    expect(audio.sampleRate).toBe(16000);
    for (let i = 0; i < audio.samples.length; i++) if (!Number.isFinite(audio.samples[i])) throw new Error(`sample ${i} is ${audio.samples[i]}`);
  } catch (error) {
    if (!(error instanceof LasError)) throw error;
    expect(error.input).toBe('fuzz.wav');
  }
}

describe('WAV parser under random mutation', () => {
  it('every seed decodes before mutation', () => {
    for (const seed of SEEDS.slice(2)) expect(decodeWav(seed).samples.length).toBeGreaterThan(0);
  });

  it('mutated files decode to finite audio or fail with a typed error naming the input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seedIndex, mutations) => {
        decodesOrTypedError(mutate(SEEDS[seedIndex], mutations));
      }),
      { numRuns: runs(600), seed: 20261201 },
    );
  });

  it('random bytes behind a RIFF/WAVE signature fail with a typed error or decode', () => {
    const riff = Uint8Array.from('RIFF\0\0\0\0WAVE', (c) => c.charCodeAt(0));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (tail) => decodesOrTypedError(Uint8Array.from([...riff, ...tail]))),
      { numRuns: runs(200), seed: 4711 },
    );
  });
});
