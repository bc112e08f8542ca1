// Runs one ONNX graph through onnxruntime-node for the Python side (there is no Python
// onnxruntime here). Usage: node training/tools/ort_run.mjs <dir>
// <dir>/inputs.json: { "model": path, "inputs": [{ "name", "dtype": "float32"|"int64", "shape": [...] }] }
// with raw little-endian data in <dir>/in_<name>.bin; writes <dir>/out_<name>.bin and
// <dir>/outputs.json ([{ "name", "dtype", "shape" }]).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, int64: BigInt64Array };

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node ort_run.mjs <dir>');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8'));
const session = await ort.InferenceSession.create(spec.model, { graphOptimizationLevel: process.env.ORT_OPT ?? 'all' });
const feeds = {};
for (const input of spec.inputs) {
  const Ctor = ARRAYS[input.dtype];
  if (!Ctor) throw new Error(`input ${input.name}: unsupported dtype ${input.dtype}`);
  const bytes = readFileSync(join(dir, `in_${input.name}.bin`));
  const data = new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  feeds[input.name] = new ort.Tensor(input.dtype, data, input.shape);
}
const results = await session.run(feeds);
const meta = [];
for (const name of session.outputNames) {
  const tensor = results[name];
  const data = tensor.data;
  writeFileSync(join(dir, `out_${name}.bin`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  meta.push({ name, dtype: tensor.type, shape: tensor.dims });
}
writeFileSync(join(dir, 'outputs.json'), JSON.stringify(meta));
await session.release?.();
