/**
 * A growable row-major float matrix [rows, width] for the frames of one utterance (features,
 * encoder keys and memory). Capacity doubles, so appending is amortised O(width); rows can be
 * dropped from the front when an utterance restarts later in the audio.
 */
export interface Rows {
  readonly width: number;
  readonly count: number;
  /** The valid data [count, width]; a view, invalidated by the next append or drop. */
  view(): Float32Array;
  append(data: Float32Array, rows: number): void;
  dropFront(rows: number): void;
  clear(): void;
}

export function createRows(width: number, initialRows = 256): Rows {
  let data = new Float32Array(width * initialRows);
  let count = 0;
  return {
    width,
    get count() {
      return count;
    },
    view: () => data.subarray(0, count * width),
    append(more, rows) {
      const needed = (count + rows) * width;
      if (needed > data.length) {
        const grown = new Float32Array(Math.max(needed, 2 * data.length));
        grown.set(data.subarray(0, count * width));
        data = grown;
      }
      data.set(more.subarray(0, rows * width), count * width);
      count += rows;
    },
    dropFront(rows) {
      const cut = Math.min(rows, count);
      data.copyWithin(0, cut * width, count * width);
      count -= cut;
    },
    clear() {
      count = 0;
    },
  };
}
