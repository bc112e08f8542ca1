// Front-end parity helper: reads float32 little-endian samples (16 kHz) from argv[2], writes
// the TypeScript log-mel [frames, 80] float32 to argv[3]. Run with `npx tsx`.
import { readFileSync, writeFileSync } from 'node:fs';
import { computeLogMel } from '../../src/features/index.ts';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: tsx training/tools/logmel.ts <samples.f32> <out.f32>');
  process.exit(2);
}
const bytes = readFileSync(input);
const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const features = computeLogMel(samples);
writeFileSync(output, Buffer.from(features.data.buffer, features.data.byteOffset, features.data.byteLength));
console.log(JSON.stringify({ frames: features.frames, dim: features.dim }));
