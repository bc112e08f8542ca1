import ort from 'onnxruntime-node';
import { ModelError } from '../errors.ts';

/** Small helpers shared by the encoder and decoder wrappers. */

export type OrtTensor = ort.Tensor;
export type StateData = Float32Array | BigInt64Array;

/**
 * The float32 data of output `name`, checked against the expected shape (-1 = any) and (unless
 * `checkNaN` is false) for NaN.
 * A NaN logit compares false with everything, so argmax and top-k would silently pick token 0
 * and a broken model (or input) would come out as an empty transcript; it is an error instead.
 */
export function floatOutput(outputs: ort.InferenceSession.ReturnType, name: string, expected: readonly number[], input: string, checkNaN = true): { data: Float32Array; dims: readonly number[] } {
  const value = outputs[name];
  if (value === undefined) throw new ModelError('MODEL_MISMATCH', `graph produced no output "${name}"`, input);
  if (value.type !== 'float32') throw new ModelError('MODEL_MISMATCH', `output "${name}" is ${value.type}, expected float32`, input);
  checkDims(value.dims, expected, `output "${name}"`, input);
  const data = value.data as Float32Array;
  if (checkNaN) assertNoNaN(data, `output "${name}"`, input);
  return { data, dims: value.dims };
}

/** Throws NON_FINITE_OUTPUT naming `what` and the first NaN's index when `data` holds a NaN. */
export function assertNoNaN(data: Float32Array, what: string, input: string): void {
  if (!allFinite(data))
    for (let i = 0; i < data.length; i++)
      if (Number.isNaN(data[i])) throw new ModelError('NON_FINITE_OUTPUT', `${what} holds NaN at index ${i} of ${data.length}: the model's weights, or the input it was given, are not usable`, input);
}

/**
 * Whether every value is finite: x - x is 0 for a finite x and NaN for NaN or an infinity, so
 * the sums stay 0 unless some value is not finite. Branch-free, in four independent sums, it
 * costs half the NaN test per value; the decoder's step outputs (about 5,000 values at beam 8)
 * are checked this way on every step.
 */
export function allFinite(data: Float32Array): boolean {
  const n = data.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += data[i] - data[i];
    s1 += data[i + 1] - data[i + 1];
    s2 += data[i + 2] - data[i + 2];
    s3 += data[i + 3] - data[i + 3];
  }
  for (; i < n; i++) s0 += data[i] - data[i];
  return s0 + s1 + s2 + s3 === 0;
}

export function checkDims(actual: readonly number[], expected: readonly number[], what: string, input: string): void {
  const ok = actual.length === expected.length && expected.every((d, i) => d < 0 || d === actual[i]);
  if (!ok) throw new ModelError('MODEL_MISMATCH', `${what} has shape [${actual.join(', ')}], expected [${expected.map((d) => (d < 0 ? '?' : d)).join(', ')}]`, input);
}

/** Releases tensors we created or received; a no-op for plain CPU data but keeps ownership explicit. */
export function disposeAll(values: Iterable<ort.OnnxValue | undefined>): void {
  for (const v of values) v?.dispose?.();
}

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
