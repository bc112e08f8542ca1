// `las serve` runs in a child process started with settings that keep a long-running server's
// memory flat (issue 11, README "Limits and failure behaviour"): a small V8 young generation
// (under decoding's allocation rate it grows to 16 MB semi-spaces), an old generation collected
// before it grows (--optimize-for-size; without it the heap swings by 11 MB between full
// collections, and NODE_OPTIONS refuses this flag, so it goes on the command line), and glibc malloc with one
// arena that hands freed blocks back (the buffers of every chunk and decoder step otherwise
// fragment it). Both are read only when a process starts (v8.setFlagsFromString at run time
// does not shrink the young generation), so the command starts itself again with them.
//
// The parent only relays: it forwards SIGTERM, SIGINT and SIGHUP to the child and exits as the
// child did. Ctrl+C in a terminal reaches both (the whole foreground process group), and the
// parent forwards its copy too, so the child gets SIGINT twice: its shutdown is idempotent
// (src/cli/serve.ts ignores a signal while it is stopping). The child holds an IPC channel to
// the parent and stops gracefully when it disconnects, which is what happens when the parent
// is killed with SIGKILL, so no server outlives its command.
//
// The child's half is in src/cli/serve.ts (it watches the channel when LAS_SERVE_CHILD is 1).
// A user's own values win (NODE_OPTIONS with its own --max-semi-space-size, any MALLOC_*
// already set); LAS_SERVE_NO_TUNING=1 runs the server in the first process, untouched.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Marks the child, so that it does not start another one. */
export const SERVE_CHILD_ENV = 'LAS_SERVE_CHILD';
export const SEMI_SPACE_FLAG = '--max-semi-space-size=2';
export const MALLOC_SETTINGS = Object.freeze({ MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '65536', MALLOC_MMAP_THRESHOLD_: '65536' });
export const TUNED_NODE_FLAGS = Object.freeze(['--optimize-for-size']);
const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** Node's own flags for a tuned server: `execArgv` with TUNED_NODE_FLAGS added where missing. */
export function tunedExecArgv(execArgv) {
  return [...execArgv, ...TUNED_NODE_FLAGS.filter((flag) => !execArgv.includes(flag))];
}

/** The environment of a tuned server: `env` with the settings added where it has none of its own. */
export function tunedServeEnv(env) {
  const options = env.NODE_OPTIONS ?? '';
  const semi = /--max-semi-space-size\b/.test(options) ? options : `${options} ${SEMI_SPACE_FLAG}`.trim();
  return { ...MALLOC_SETTINGS, ...env, NODE_OPTIONS: semi };
}

/** Whether this process should start the tuned child instead of serving itself. */
export function shouldRelayServe(argv, env) {
  return argv[0] === 'serve' && env[SERVE_CHILD_ENV] !== '1' && env.LAS_SERVE_NO_TUNING !== '1';
}

/** Starts the child and resolves with the exit code this process should end with. */
export function relayServe() {
  const child = spawn(process.execPath, [...tunedExecArgv(process.execArgv), ...process.argv.slice(1)], {
    env: { ...tunedServeEnv(process.env), [SERVE_CHILD_ENV]: '1' },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`las serve: cannot start the server process: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}
