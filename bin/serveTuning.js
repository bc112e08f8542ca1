// `las serve` runs in a child process started with settings that keep a long-running server's
// memory flat (issue 11, README "Limits and failure behaviour"): a small V8 young generation
// (under decoding's allocation rate it grows to 16 MB semi-spaces), an old generation collected
// before it grows (--optimize-for-size; without it the heap swings by 11 MB between full
// collections, and NODE_OPTIONS refuses this flag, so it goes on the command line), and glibc malloc with one
// arena that hands freed blocks back (the buffers of every chunk and decoder step otherwise
// fragment it). Both are read only when a process starts (v8.setFlagsFromString at run time
// does not shrink the young generation), so the command starts itself again with them.
//
// The parent only relays: it forwards the first SIGTERM, SIGINT or SIGHUP to the child and exits
// as the child did. The child runs in a session (and so a process group) of its own, so Ctrl+C in
// a terminal, which signals the whole foreground process group, reaches only the parent, and the
// child gets exactly one stop signal. Two copies were a race: a copy that arrives while the
// stopped child is already tearing down (its handlers gone) killed it, so a clean stop exited 130.
// Later stop signals are not forwarded: the child is stopping already and ignores repeats.
// Ctrl+Z (SIGTSTP) reaches only the parent, so it suspends the command and the server goes on
// serving. It is not stopped with it: a stopped server cannot see its channel disconnect, so
// killing the suspended command (kill -9 %1) would leave a stopped server behind for ever.
// The child holds an IPC channel to the parent and stops gracefully when it disconnects, which is
// what happens when the parent is killed with SIGKILL, so no server outlives its command.
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
    detached: true, // a session of its own: terminal signals reach only this process, which relays them
  });
  let stopping = false;
  const forward = (signal) => {
    if (stopping || child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`las serve: cannot start the server process: ${error.message}\n`);
      resolve(1);
    });
    // The handlers stay until this process ends (they hold nothing open): a stop signal that
    // arrives after the child has gone must not kill this process before it exits with the child's code.
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}
