/** Audio always travels as mono float samples in [-1, 1] together with their rate. */
export interface Audio {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}
