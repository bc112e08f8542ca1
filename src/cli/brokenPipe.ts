/**
 * `las transcribe … | head -1`: once the reader has gone, writing to stdout fails with EPIPE.
 * That is the reader's choice, not a failure, so the process ends at once and quietly (exit 0)
 * instead of printing a stack trace or decoding files nobody will read.
 */
export function exitQuietlyOnBrokenPipe(
  stream: NodeJS.WriteStream,
  exit: (code: number) => void = (code) => process.exit(code),
  report: (line: string) => void = (line) => process.stderr.write(line),
): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return exit(0);
    // Another listener (las listen keeps the recording and reports after it) takes any other
    // write error; without one, the output is lost: say so in one line and fail, never throw
    // from a listener (that would be an uncaught exception with a stack trace).
    if (stream.listenerCount('error') > 1) return;
    report(`las: cannot write output: ${err.code ?? ''} ${err.message}\n`);
    exit(1);
  });
}
