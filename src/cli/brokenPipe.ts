/**
 * `las transcribe … | head -1`: once the reader has gone, writing to stdout fails with EPIPE.
 * That is the reader's choice, not a failure, so the process ends at once and quietly (exit 0)
 * instead of printing a stack trace or decoding files nobody will read.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    else throw err;
  });
}
