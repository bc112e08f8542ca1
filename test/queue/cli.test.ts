import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, SAMPLES } from '../cli/runCli.ts';

/** Argument parsing of las queue and las worker: usage errors exit 2, an unusable Redis exits 1, each in one line. */
const WAV = join(SAMPLES, 'espeak-digits.wav');
const NOBODY = 'redis://127.0.0.1:1'; // nothing listens on port 1

beforeEach(() => {
  vi.stubEnv('LAS_REDIS_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('las queue / las worker usage', () => {
  it.each([
    [['queue'], /missing subcommand; one of add, status, results/],
    [['queue', 'frob'], /unknown subcommand 'frob'/],
    [['queue', 'add', WAV], /no Redis: give --redis URL or set LAS_REDIS_URL/],
    [['queue', 'add', '--redis', NOBODY], /no inputs/],
    [['queue', 'add', WAV, '--redis', NOBODY, '--beam', '0'], /--beam must be an integer in 1\.\.64/],
    [['queue', 'add', WAV, '--redis', NOBODY, '--subtitles', 'txt'], /--subtitles must be one of srt, vtt/],
    [['queue', 'add', WAV, '--redis', NOBODY, '--word-lm-weight', '11'], /--word-lm-weight must be a number in 0\.\.10, got "11"/],
    [['queue', 'add', '-', '--redis', NOBODY], /cannot be queued/],
    [['queue', 'status', 'extra', '--redis', NOBODY], /unexpected argument "extra"/],
    [['queue', 'results', '--format', 'text', '--redis', NOBODY], /--format must be one of json, srt, vtt/],
    [['worker'], /no Redis/],
    [['worker', '--redis', NOBODY, '--concurrency', '0'], /--concurrency must be an integer in 1\.\.64/],
    [['worker', '--redis', NOBODY, '--lock-duration-ms', '5'], /--lock-duration-ms must be an integer/],
  ])('las %j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['queue', 'add', WAV, '--redis', NOBODY], /REDIS_UNREACHABLE|cannot reach Redis/],
    [['queue', 'status', '--redis', NOBODY], /cannot reach Redis/],
    [['queue', 'results', '--redis', NOBODY], /cannot reach Redis/],
    [['worker', '--redis', NOBODY], /cannot reach Redis/],
    [['queue', 'status', '--redis', 'http://localhost'], /unsupported scheme http:/],
    [['worker', '--redis', 'redis://:secret@127.0.0.1:1'], /redis:\/\/:\*\*\*@127\.0\.0\.1:1: cannot reach Redis/],
  ])('las %j fails in one line (exit 1), the password masked', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('secret');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("--help prints each command's options", async () => {
    expect((await runCli(['queue', '--help'])).stdout).toMatch(/^Usage: las queue add/);
    expect((await runCli(['worker', '--help'])).stdout).toMatch(/--input-root DIR/);
  });
});
