import { ConfigError } from '../errors.ts';

/**
 * Averages planar channels [channels][frames] into one. Averaging (not summing) keeps the
 * result in [-1, 1]. A single channel is returned as is, without a copy.
 */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new ConfigError('downmix needs at least one channel');
  if (channels.length === 1) return channels[0];
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new ConfigError('downmix needs channels of equal length');
  const mono = new Float32Array(frames);
  const weight = 1 / channels.length;
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i];
    mono[i] = sum * weight;
  }
  return mono;
}
