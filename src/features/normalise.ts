import { ConfigError } from '../errors.ts';
import type { NormStats } from './config.ts';
import type { Features } from './logMel.ts';

/** Checks that stats fit `dim` features: matching lengths, finite means, finite std > 0. */
export function validateNormStats(stats: NormStats, dim: number, input = 'normStats'): NormStats {
  if (stats === null || typeof stats !== 'object' || stats.mean == null || stats.std == null)
    throw new ConfigError('expected { mean: number[], std: number[] }', input);
  if (stats.mean.length !== dim) throw new ConfigError(`mean has ${stats.mean.length} values, features have ${dim} dimensions`, input);
  if (stats.std.length !== dim) throw new ConfigError(`std has ${stats.std.length} values, features have ${dim} dimensions`, input);
  for (let d = 0; d < dim; d++) {
    if (!Number.isFinite(stats.mean[d])) throw new ConfigError(`mean[${d}] is ${stats.mean[d]}, must be finite`, input);
    const s = stats.std[d];
    if (!(Number.isFinite(s) && s > 0)) throw new ConfigError(`std[${d}] is ${s}, must be finite and > 0`, input);
  }
  return stats;
}

/** Returns new features `(x - mean[d]) / std[d]`; the input is left untouched. */
export function normalise(features: Features, stats: NormStats, input = 'normStats'): Features {
  const { frames, dim, data } = features;
  validateNormStats(stats, dim, input);
  const mean = Float64Array.from(stats.mean);
  // Dividing (not multiplying by a reciprocal) keeps the result identical to numpy's (x - m) / s.
  const std = Float64Array.from(stats.std);
  const out = new Float32Array(frames * dim); // [frames, dim]
  for (let t = 0; t < frames; t++) {
    const row = t * dim;
    for (let d = 0; d < dim; d++) out[row + d] = (data[row + d] - mean[d]) / std[d];
  }
  return { data: out, frames, dim };
}
