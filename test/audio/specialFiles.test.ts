import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeWavFile, readWavFile } from '../../src/audio/index.ts';
import { runCli, SAMPLES, TINY } from '../cli/runCli.ts';

/**
 * Issue 11, item 3: a FIFO named x.wav made open() block until a writer came, so `las
 * transcribe` and `las probe` hung for ever, and the whole batch with them.
 */
let dir: string;
let fifo: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'las-special-'));
  fifo = join(dir, 'x.wav');
  execFileSync('mkfifo', [fifo]);
});
afterAll(() => {
  // Should a reader still be blocked in open() (the bug), a writer that comes and goes frees it.
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader waiting: nothing to free
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a FIFO named x.wav', () => {
  it('is refused at once by probeWavFile and readWavFile with READ_FAILED naming it', async () => {
    await expect(probeWavFile(fifo)).rejects.toMatchObject({ code: 'READ_FAILED', input: fifo, message: expect.stringMatching(/FIFO/) });
    await expect(readWavFile(fifo, { input: 'my-pipe' })).rejects.toMatchObject({ code: 'READ_FAILED', input: 'my-pipe' });
  });

  it('fails only its own item in las probe and las transcribe; the files around it are done', async () => {
    const good = join(SAMPLES, 'espeak-digits.wav');
    const probe = await runCli(['probe', good, fifo, good]);
    expect(probe.code).toBe(1);
    expect(probe.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(probe.stderr).toContain(`${fifo}: not a regular file (a FIFO (named pipe))`);
    const batch = await runCli(['transcribe', '--model', TINY, '--beam', '1', '--format', 'json', good, fifo, good]);
    expect(batch.code).toBe(1);
    const lines = batch.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.error?.code ?? 'ok')).toEqual(['ok', 'READ_FAILED', 'ok']);
  });

  it('a character device is refused the same way', async () => {
    await expect(probeWavFile('/dev/zero')).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringMatching(/a device/) });
  });
});
