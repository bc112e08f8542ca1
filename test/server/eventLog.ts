/**
 * The lines of a server's connection events (startServer's `events` callback), with a wait for
 * lines to come: a test waits on the server's own event instead of polling its state.
 */
export interface EventLog {
  readonly lines: readonly string[];
  readonly push: (line: string) => void;
  /** Resolves once `count` lines from index `from` on match `pattern` (lines already logged count). */
  waitFor(pattern: RegExp, from?: number, count?: number): Promise<void>;
}

export function createEventLog(): EventLog {
  const lines: string[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const matches = (pattern: RegExp, from: number) => lines.slice(from).filter((l) => pattern.test(l)).length;
  return {
    lines,
    push(line) {
      lines.push(line);
      for (const w of [...waiters]) if (w.check()) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    },
    waitFor(pattern, from = 0, count = 1) {
      const check = () => matches(pattern, from) >= count;
      return check() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ check, resolve }));
    },
  };
}
