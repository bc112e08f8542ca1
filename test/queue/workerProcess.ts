import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from '../cli/runCli.ts';

/** A `las worker` child process and the lines it writes on stderr, as they come. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (already written or still to come) that matches; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Calls `listener` with every line from now on. */
  onLine(listener: (line: string) => void): void;
  /** Resolves when the process has exited, with its exit code or signal. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `las worker ARGS`, with `env` added to this process's environment. */
export function spawnWorker(args: readonly string[], env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/las.js'), 'worker', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; done: (line: string) => void }[] = [];
  const listeners: ((line: string) => void)[] = [];
  let rest = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const l of listeners) l(line);
      for (const w of [...waiters])
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.done(line);
        }
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return {
    child,
    lines,
    exit,
    onLine: (listener) => void listeners.push(listener),
    waitForLine(pattern) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((done, fail) => {
        waiters.push({ pattern, done });
        void exit.then(({ code, signal }) => fail(new Error(`worker exited (${code ?? signal}) before writing a line matching ${pattern}:\n${lines.join('\n')}`)));
      });
    },
  };
}

/** Ends a worker the test started, if it still runs, and waits for it. */
export async function stopWorker(w: WorkerProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (w === undefined || w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill(signal);
  await w.exit;
}

/** A job's last word in a worker's log: `done NAME (job ID, ...)`, or a final `failed NAME (job ID): ...`. */
export const FINISHED = /^las worker: (?:done .* \(job (\S+), |failed .* \(job (\S+)\): (?!.*\(will retry\)$))/;

/** Resolves when the workers have finished `n` different jobs between them (FINISHED lines). */
export function waitForFinished(workers: readonly WorkerProcess[], n: number): Promise<void> {
  return new Promise((done, fail) => {
    const ids = new Set<string>();
    const look = (line: string) => {
      const m = FINISHED.exec(line);
      if (m !== null) ids.add(m[1] ?? m[2]!);
      if (ids.size >= n) done();
    };
    for (const w of workers) {
      w.lines.forEach(look);
      w.onLine(look);
      void w.exit.then(({ code, signal }) => fail(new Error(`a worker exited (${code ?? signal}) with ${ids.size} of ${n} jobs finished:\n${w.lines.join('\n')}`)));
    }
  });
}
