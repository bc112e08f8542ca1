/**
 * Passes an iterable through, checking `signal` before each item: once it is aborted, the
 * iteration throws the signal's reason (an AbortError DOMException unless the caller gave one),
 * and the source is closed (its `finally` runs, so a file it reads is closed).
 */
export async function* abortable<T>(source: AsyncIterable<T> | Iterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  signal?.throwIfAborted();
  for await (const item of source) {
    signal?.throwIfAborted();
    yield item;
  }
}
