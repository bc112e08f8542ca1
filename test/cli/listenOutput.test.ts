import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { SAMPLES, TINY } from './runCli.ts';

/**
 * Review item: `las listen` threw from its stdout 'error' listener for anything but EPIPE, which
 * is an uncaught exception. A write error now ends the recording and is reported.
 */
describe('las listen when stdout fails with EIO', () => {
  it('stops, says so in one line and exits 1; nothing is thrown from the listener', async () => {
    const err: string[] = [];
    let raised = false;
    let thrownFromListener: unknown;
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((() => {
      if (!raised) {
        raised = true;
        try {
          process.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
        } catch (error) {
          thrownFromListener = error;
        }
      }
      return true;
    }) as typeof process.stdout.write);
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write);
    let code: number;
    try {
      code = await main(['listen', '--model', TINY, '--json', '--input', join(SAMPLES, 'espeak-digits.wav')]);
    } finally {
      out.mockRestore();
      errSpy.mockRestore();
    }
    expect(thrownFromListener).toBeUndefined();
    expect(raised).toBe(true);
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/las listen: cannot write the output \(EIO\)/);
  });
});
