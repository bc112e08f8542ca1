import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tunedExecArgv, tunedServeEnv } from '../../bin/serveTuning.js';
import { ROOT, TINY } from '../cli/runCli.ts';

/**
 * Issue 11, soak: `las serve` starts its server in a child process with the memory settings
 * (bin/serveTuning.js) and relays signals to it; the child stops when the parent disappears.
 * The child is found through /proc (its parent's pid, and bin/las.js on its command line).
 */
type Serve = ChildProcessByStdio<null, Readable, Readable>;
const linux = process.platform === 'linux';

/** The environment without any of the settings, so that the test sees what the command adds. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const key of ['NODE_OPTIONS', 'LAS_SERVE_CHILD', 'LAS_SERVE_NO_TUNING', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_MMAP_THRESHOLD_']) if (!(key in extra)) delete env[key];
  if (!('MALLOC_ARENA_MAX' in extra)) delete env.MALLOC_ARENA_MAX;
  return env;
}

function startServe(env: NodeJS.ProcessEnv, detached = false): { serve: Serve; url: Promise<string>; exited: Promise<{ code: number | null; signal: string | null }>; closed: Promise<void> } {
  const serve = spawn(process.execPath, [resolve(ROOT, 'bin/las.js'), 'serve', '--port', '0', '--model', TINY], { cwd: ROOT, env, detached, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => serve.on('exit', (code, signal) => done({ code, signal })));
  // 'close': the process has exited and every holder of its stdout and stderr pipes (the server child too) has closed them.
  const closed = new Promise<void>((done) => serve.on('close', () => done()));
  let stderr = '';
  serve.stderr.on('data', (c: Buffer) => (stderr += String(c)));
  const url = new Promise<string>((done, fail) => {
    let out = '';
    serve.stdout.on('data', (c: Buffer) => {
      out += String(c);
      const m = /open (http:\/\/\S+\/)/.exec(out);
      if (m) done(m[1]!);
    });
    void exited.then(() => fail(new Error(`las serve exited before listening: ${stderr}`)));
  });
  return { serve, url, exited, closed };
}

/** State, parent, process group and session of a process, from /proc/<pid>/stat (throws once it is gone). */
function statFields(pid: number): { state: string; parent: number; group: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [state, parent, group, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: state!, parent: Number(parent), group: Number(group), session: Number(session) };
}

/** Pids of the live processes whose parent is `parent` and whose command line runs bin/las.js. */
function serverChildren(parent: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const { state, parent: ppid } = statFields(Number(pid));
        return state !== 'Z' && ppid === parent && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bin/las.js');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** Resolves once `ready()` holds, polling every 10 ms; fails after 10 s. */
async function until(ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    if (waited > 10_000) throw new Error('timed out waiting for the processes to change state');
    await new Promise((tick) => setTimeout(tick, 10));
  }
}

/** SIGKILL to the group `leader` leads (and to the server child, which has a group of its own), if still there. */
function killGroup(leader: number): void {
  for (const pid of existsSync(`/proc/${leader}`) ? serverChildren(leader) : []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  try {
    process.kill(-leader, 'SIGKILL');
  } catch {
    // the group is gone
  }
}

/** Gone, or a zombie nobody has reaped yet: in either case no longer running. */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return statFields(pid).state !== 'Z';
  } catch {
    return false;
  }
}

describe('tunedServeEnv', () => {
  it('adds the young-generation flag and the malloc settings, keeping what the user set', () => {
    expect(tunedServeEnv({})).toEqual({ NODE_OPTIONS: '--max-semi-space-size=2', MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '65536', MALLOC_MMAP_THRESHOLD_: '65536' });
    const own = tunedServeEnv({ NODE_OPTIONS: '--max-old-space-size=512', MALLOC_ARENA_MAX: '4' });
    expect(own.NODE_OPTIONS).toBe('--max-old-space-size=512 --max-semi-space-size=2');
    expect(own.MALLOC_ARENA_MAX).toBe('4');
    expect(tunedServeEnv({ NODE_OPTIONS: '--max-semi-space-size=8' }).NODE_OPTIONS).toBe('--max-semi-space-size=8');
  });
});

describe('tunedExecArgv', () => {
  it('adds --optimize-for-size once', () => {
    expect(tunedExecArgv([])).toEqual(['--optimize-for-size']);
    expect(tunedExecArgv(['--inspect'])).toEqual(['--inspect', '--optimize-for-size']);
    expect(tunedExecArgv(['--optimize-for-size'])).toEqual(['--optimize-for-size']);
  });
});

describe.skipIf(!linux)('las serve in its tuned child', () => {
  it('serves from a child that has the settings (the user’s own MALLOC_ARENA_MAX kept), and SIGTERM stops both with 0', async () => {
    const { serve, url, exited } = startServe(cleanEnv({ MALLOC_ARENA_MAX: '2' }));
    let children: number[] = [];
    try {
      expect((await fetch(new URL('/api/info', await url))).status).toBe(200);
      children = serverChildren(serve.pid!);
      expect(children).toHaveLength(1);
      const env = environOf(children[0]!);
      expect(env).toMatchObject({ LAS_SERVE_CHILD: '1', NODE_OPTIONS: '--max-semi-space-size=2', MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '65536', MALLOC_MMAP_THRESHOLD_: '65536' });
      expect(readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0')).toContain('--optimize-for-size');
      serve.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(running(children[0]!)).toBe(false);
    } finally {
      serve.kill('SIGKILL');
      for (const pid of children) if (running(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('stops the child when the parent is killed with SIGKILL (no orphan server)', async () => {
    const { serve, url, closed } = startServe(cleanEnv());
    let children: number[] = [];
    try {
      await url;
      children = serverChildren(serve.pid!);
      expect(children).toHaveLength(1);
      serve.kill('SIGKILL');
      await closed; // the child held the pipes: they close when it exits
      expect(running(children[0]!)).toBe(false);
    } finally {
      for (const pid of children) if (running(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('Ctrl+C (SIGINT to the whole process group) reaches only the parent, whose child has a session of its own, and stops the server once, with 0', async () => {
    // detached: a process group of its own, as a terminal's foreground job has.
    const { serve, url, exited } = startServe(cleanEnv(), true);
    try {
      await url;
      const [child] = serverChildren(serve.pid!);
      expect(child).toBeDefined();
      expect(statFields(child!).session).toBe(child); // the leader of its own session, so of its own group
      expect(statFields(child!).group).not.toBe(statFields(serve.pid!).group);
      process.kill(-serve.pid!, 'SIGINT');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      killGroup(serve.pid!);
    }
  });

  it('forwards only the first stop signal: the child gets one, however many the parent gets while the child stops', async () => {
    // Every copy the child got after its first could land once its handlers were gone (it was
    // tearing down) and kill it, so a clean stop exited 130. The stand-in child counts its signals.
    const child = spawn(process.execPath, [resolve(ROOT, 'test/server/fixtures/relayChild.mjs')], { env: cleanEnv({ LINGER_MS: '400' }), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    let out = '';
    const ready = new Promise<void>((done) => child.stdout.on('data', (c: Buffer) => ((out += String(c)), out.includes('ready') && done())));
    try {
      await ready;
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGINT'] as const) {
        child.kill(signal);
        await new Promise((tick) => setTimeout(tick, 30));
      }
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(out).toContain('signals 1\n');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a suspended command (its process group stopped, as Ctrl+Z does) leaves the server serving, and killing it then stops the server', async () => {
    // SIGSTOP, not SIGTSTP: this test's detached group is orphaned, and the kernel drops SIGTSTP's
    // default stop there. The server is in a group of its own, so it is not stopped with the command.
    const { serve, url, closed } = startServe(cleanEnv(), true);
    let children: number[] = [];
    try {
      const base = await url;
      children = serverChildren(serve.pid!);
      expect(children).toHaveLength(1);
      process.kill(-serve.pid!, 'SIGTSTP'); // the parent does not pass it on as a stop of the server
      await new Promise((tick) => setTimeout(tick, 300));
      expect(statFields(children[0]!).state).not.toBe('T');
      process.kill(-serve.pid!, 'SIGSTOP');
      await until(() => statFields(serve.pid!).state === 'T');
      expect(statFields(children[0]!).state).not.toBe('T');
      expect((await fetch(new URL('/api/info', base))).status).toBe(200);
      process.kill(-serve.pid!, 'SIGKILL'); // kill -9 %1 on the suspended job
      await closed; // the server held the pipes: they close when it exits
      expect(running(children[0]!)).toBe(false);
    } finally {
      killGroup(serve.pid!);
      for (const pid of children) if (running(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('LAS_SERVE_NO_TUNING=1 serves in the first process, with no child', async () => {
    const { serve, url, exited } = startServe(cleanEnv({ LAS_SERVE_NO_TUNING: '1' }));
    try {
      expect((await fetch(new URL('/api/info', await url))).status).toBe(200);
      expect(serverChildren(serve.pid!)).toEqual([]);
      expect(environOf(serve.pid!).NODE_OPTIONS).toBeUndefined();
      serve.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      serve.kill('SIGKILL');
    }
  });
});
