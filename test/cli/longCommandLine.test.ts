import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareOrtEnvironment } from '../../src/model/ortEnvironment.ts';
import { libraryTexts } from './libraryText.ts';
import { ROOT, SAMPLES, TINY } from './runCli.ts';

/**
 * Issue 11, item 2: with a command line of about 29 KB or more, onnxruntime's telemetry client
 * overflowed the stack while parsing /proc/self/cmdline, and `las transcribe` died with SIGSEGV
 * (rc 139) before printing anything. The child gets an environment without
 * ORT_DISABLE_TELEMETRY, so only the CLI's own set-up can keep it alive.
 */
function run(args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.ORT_DISABLE_TELEMETRY;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/las.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

describe('a 40 KB command line', () => {
  it('transcribes: 700 absolute paths, one real and the rest missing, exit 1 with every missing file named', async () => {
    const real = join(SAMPLES, 'espeak-digits.wav');
    const missing = Array.from({ length: 699 }, (_, i) => `/nonexistent/las-speech/long-command-line/batch-file-${String(i).padStart(4, '0')}.wav`);
    const args = ['transcribe', '--model', TINY, '--beam', '1', '--format', 'json', real, ...missing];
    expect(args.join(' ').length).toBeGreaterThan(40_000);
    const result = await run(args);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(700);
    expect(lines[0]).toMatchObject({ file: real, text: (await libraryTexts([real], { beam: 1 }))[0] });
    expect(lines.slice(1).map((l) => l.error?.code)).toEqual(missing.map(() => 'READ_FAILED'));
  });

  it('leaves an explicit ORT_DISABLE_TELEMETRY alone and sets it otherwise', () => {
    const unset: NodeJS.ProcessEnv = {};
    prepareOrtEnvironment(unset);
    expect(unset.ORT_DISABLE_TELEMETRY).toBe('1');
    const chosen: NodeJS.ProcessEnv = { ORT_DISABLE_TELEMETRY: '0' };
    prepareOrtEnvironment(chosen);
    expect(chosen.ORT_DISABLE_TELEMETRY).toBe('0');
  });
});
