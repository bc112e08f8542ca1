import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { COMMANDS } from '../../src/cli/commands.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err, restore: () => vi.restoreAllMocks() };
}

describe('las main', () => {
  it('--help lists every command', async () => {
    const c = capture();
    const code = await main(['--help']);
    c.restore();
    expect(code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(c.out.join('')).toContain(`  ${name}`);
  });

  it('an unknown command is a usage error naming it', async () => {
    const c = capture();
    const code = await main(['transcrbe']);
    c.restore();
    expect(code).toBe(2);
    expect(c.err.join('')).toMatch(/unknown command 'transcrbe'/);
  });

  it('a parseArgs error is one line, not a stack trace', async () => {
    const c = capture();
    const code = await main(['probe', '--bogus']);
    c.restore();
    expect(code).toBe(2);
    expect(c.err.join('')).toMatch(/^las probe: Unknown option '--bogus'/);
    expect(c.err.join('')).not.toMatch(/\n\s+at /);
  });

  it('probe reports a non-WAV input by name and exits 1', async () => {
    const c = capture();
    const code = await main(['probe', 'samples/espeak-digits.wav', 'package.json']);
    c.restore();
    expect(code).toBe(1);
    expect(c.out.join('')).toMatch(/espeak-digits\.wav: pcm, 1 ch, 16000 Hz, 16 bit/);
    expect(c.err.join('')).toMatch(/package\.json: not a WAV file/);
  });
});
