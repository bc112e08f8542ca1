/**
 * ioredis rejects every command still queued on a connection that is closed by hand with
 * "Connection is closed." (from its close handler, redis/event_handler.js). BullMQ sometimes
 * leaves such a command of its own unawaited when it closes or pauses a worker's or a queue's
 * connection: seen once, as an unhandled rejection in a test run, with every result stored and
 * every assertion met. Node ends a process on an unhandled rejection, so without a guard this
 * would turn a clean stop of `las worker` or `las queue` into a crash.
 */

/** Whether `error` (an Error, or a test runner's copy of one) is that rejection. */
export function isClosedConnectionFlush(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { message, stack } = error as { message?: unknown; stack?: unknown };
  return message === 'Connection is closed.' && typeof stack === 'string' && /ioredis[\\/]built[\\/]redis[\\/]event_handler/.test(stack);
}

let installed = false;

/**
 * For the queue's commands, which own their process: from now on an unhandled rejection that
 * is such a flush is dropped, and every other one ends the process as node's default does (it is
 * thrown again, as an uncaught exception). Installed once, for the life of the process: the
 * flush can come after the command has returned, while its connections close.
 */
export function dropClosedConnectionFlushes(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (isClosedConnectionFlush(reason)) return;
    throw reason;
  });
}
