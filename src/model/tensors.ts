import ort from 'onnxruntime-node';
import { ModelError } from '../errors.ts';

/** Small helpers shared by the encoder and decoder wrappers. */

export type OrtTensor = ort.Tensor;
export type StateData = Float32Array | BigInt64Array;

/**
 * The float32 data of output `name`, checked against the expected shape (-1 = any) and for NaN.
 * A NaN logit compares false with everything, so argmax and top-k would silently pick token 0
 * and a broken model (or input) would come out as an empty transcript; it is an error instead.
 */
export function floatOutput(outputs: ort.InferenceSession.ReturnType, name: string, expected: readonly number[], input: string): { data: Float32Array; dims: readonly number[] } {
  const value = outputs[name];
  if (value === undefined) throw new ModelError('MODEL_MISMATCH', `graph produced no output "${name}"`, input);
  if (value.type !== 'float32') throw new ModelError('MODEL_MISMATCH', `output "${name}" is ${value.type}, expected float32`, input);
  checkDims(value.dims, expected, `output "${name}"`, input);
  const data = value.data as Float32Array;
  for (let i = 0; i < data.length; i++)
    if (Number.isNaN(data[i])) throw new ModelError('NON_FINITE_OUTPUT', `output "${name}" holds NaN at index ${i} of ${data.length}: the model's weights, or the input it was given, are not usable`, input);
  return { data, dims: value.dims };
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
