import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A redis-server of the test's own: a free loopback port, a temporary folder, stopped (and the
 * folder removed) by stop(). Never the system service. A missing redis-server fails the test:
 * scripts/install.sh installs it, so its absence is a broken set-up, not a reason to skip.
 */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Stops the server (SIGTERM: with appendonly it writes its log first) and waits for it to exit. */
  stop(): Promise<void>;
  /** Stops it, then starts it again on the same port and folder (what persistence is for). */
  restart(): Promise<void>;
  /** stop(), and the folder removed. */
  dispose(): Promise<void>;
}

export interface TestRedisOptions {
  readonly appendonly?: boolean;
  readonly password?: string;
  /** TLS only (no plain port): the server's certificate and key files (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Starts redis-server and resolves when it says it accepts connections; rejects with its output if it exits first. */
function launch(port: number, dir: string, options: TestRedisOptions): Promise<ChildProcess> {
  const ports = options.tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no'];
  const args = [...ports, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendonly === true ? 'yes' : 'no', '--daemonize', 'no', '--logfile', ''];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  return new Promise((done, fail) => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/Ready to accept connections/.test(output)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        done(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', (err) => fail(new Error(`cannot start redis-server (${err.message}); it is installed by scripts/install.sh (Debian package redis-server)`)));
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));

export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'las-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  // A port found free can be taken before redis binds it: try another.
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, options);
    } catch (err) {
      if (attempt >= 2 || /cannot start redis-server/.test((err as Error).message)) throw err;
    }
  }
  let current: ChildProcess | undefined = child;
  const stop = async () => {
    if (current === undefined) return;
    const c = current;
    current = undefined;
    const gone = exited(c);
    c.kill('SIGTERM');
    await gone;
  };
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    port,
    url: `${options.tls === undefined ? 'redis' : 'rediss'}://${auth}127.0.0.1:${port}`,
    dir,
    stop,
    async restart() {
      await stop();
      current = await launch(port, dir, options);
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
