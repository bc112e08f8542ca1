/** Low noise at about -70 dB, like a quiet room, deterministic: the gaps between utterances in the streaming benches. */
export function quietRoom(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 0.001;
  }
  return out;
}
