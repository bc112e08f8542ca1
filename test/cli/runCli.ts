import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TINY = resolve(ROOT, 'models/tiny-random');
export const SAMPLES = resolve(ROOT, 'samples');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `las <args>` in this process, capturing what it writes. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(capture(out) as typeof process.stdout.write);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(capture(err) as typeof process.stderr.write);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Runs the real `bin/las.js` in a child process, feeding `stdin`. */
export function spawnCli(args: readonly string[], stdin?: Uint8Array): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/las.js'), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(stdin ?? Buffer.alloc(0));
  });
}
