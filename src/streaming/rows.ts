import { createFloat32Buffer } from '../util/float32.ts';

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
  const buffer = createFloat32Buffer(width * initialRows);
  let count = 0;
  return {
    width,
    get count() {
      return count;
    },
    view: () => buffer.view(),
    append(more, rows) {
      buffer.append(more.subarray(0, rows * width));
      count += rows;
    },
    dropFront(rows) {
      const cut = Math.min(rows, count);
      buffer.dropFront(cut * width);
      count -= cut;
    },
    clear() {
      buffer.clear();
      count = 0;
    },
  };
}
