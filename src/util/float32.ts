/** Joins pieces of samples (or any Float32 data) into one buffer. */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * A growable Float32 buffer: data is appended at the end and dropped from the front (a sliding
 * history). Capacity doubles, so appending is amortised O(1) per value, and it never shrinks.
 */
export interface Float32Buffer {
  readonly length: number;
  /** The valid data [0, length); a view, invalidated by the next append. */
  view(): Float32Array;
  append(data: Float32Array): void;
  /** Drops the first `count` values (all of them when count >= length). */
  dropFront(count: number): void;
  /** Drops values from the end, down to `length` (an undo of the appends since then). */
  truncate(length: number): void;
  clear(): void;
}

export function createFloat32Buffer(initialCapacity = 1024): Float32Buffer {
  let data = new Float32Array(Math.max(1, initialCapacity));
  let length = 0;
  return {
    get length() {
      return length;
    },
    view: () => data.subarray(0, length),
    append(more) {
      const needed = length + more.length;
      if (needed > data.length) {
        const grown = new Float32Array(Math.max(needed, 2 * data.length));
        grown.set(data.subarray(0, length));
        data = grown;
      }
      data.set(more, length);
      length = needed;
    },
    dropFront(count) {
      const cut = Math.min(Math.max(0, count), length);
      data.copyWithin(0, cut, length);
      length -= cut;
    },
    truncate(to) {
      length = Math.min(length, Math.max(0, to));
    },
    clear() {
      length = 0;
    },
  };
}
