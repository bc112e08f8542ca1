/**
 * A first-come first-served lock. The server shares one model between all connections; taking
 * the lock around each chunk's inference keeps the streams from competing for the cores (on a
 * small machine, parallel ONNX runs only slow each other down) and keeps their order fair.
 */
export interface Mutex {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks waiting or running. */
  readonly pending: number;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      pending++;
      const result = tail.then(task);
      tail = result.then(
        () => pending--,
        () => pending--,
      );
      return result;
    },
    get pending() {
      return pending;
    },
  };
}
