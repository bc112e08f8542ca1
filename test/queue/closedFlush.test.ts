import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isClosedConnectionFlush } from '../../src/queue/index.ts';
import { queueCommand } from '../../src/cli/queue.ts';
import { workerCommand } from '../../src/cli/worker.ts';
import { ROOT } from '../cli/runCli.ts';

/** The fixture in a process of its own (so that node's own unhandled-rejection rule applies). */
function runFixture(env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'test/queue/fixtures/closedFlush.ts')], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a command BullMQ leaves unawaited when it closes a connection', () => {
  it('is dropped by the guard that las worker and las queue install', () => {
    const r = runFixture({});
    expect(r.stdout).toContain('survived');
    expect(r.status).toBe(0);
  });

  it.each([
    ['with no guard the flush ends the process: the case is real', { NO_GUARD: '1' }, 'Connection is closed.'],
    ['with the guard any other unhandled rejection still ends it', { OTHER: '1' }, 'another rejection'],
  ])('%s', (_, env, said) => {
    const r = runFixture(env);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('survived');
    expect(r.stderr).toContain(said);
  });

  it('is told apart by its message and its origin in ioredis', () => {
    const stack = 'Error: Connection is closed.\n    at close (/x/node_modules/ioredis/built/redis/event_handler.js:214:25)';
    expect(isClosedConnectionFlush({ message: 'Connection is closed.', stack })).toBe(true);
    expect(isClosedConnectionFlush({ message: 'Connection is closed.', stack: 'Error: Connection is closed.\n    at ours (/x/src/queue/worker.ts:1:1)' })).toBe(false);
    expect(isClosedConnectionFlush({ message: 'Something else', stack })).toBe(false);
    expect(isClosedConnectionFlush('Connection is closed.')).toBe(false);
    expect(isClosedConnectionFlush(undefined)).toBe(false);
  });

  it('las worker installs the guard when it runs, and las queue after it adds no second one', async () => {
    const before = process.listenerCount('unhandledRejection');
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(await workerCommand.run(['--concurrency', 'many'])).toBe(2); // a usage error, after the guard
      expect(process.listenerCount('unhandledRejection')).toBe(before + 1);
      expect(await queueCommand.run(['no-such-subcommand'])).toBe(2);
      expect(process.listenerCount('unhandledRejection')).toBe(before + 1);
    } finally {
      process.stderr.write = stderr;
    }
  });
});
