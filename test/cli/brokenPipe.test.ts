import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitQuietlyOnBrokenPipe } from '../../src/cli/brokenPipe.ts';

function fakeStdout(): NodeJS.WriteStream {
  return new EventEmitter() as unknown as NodeJS.WriteStream;
}

function writeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code });
}

describe('exitQuietlyOnBrokenPipe', () => {
  it('a reader that went away (EPIPE) ends the process quietly with 0', () => {
    const stream = fakeStdout();
    const exits: number[] = [];
    const lines: string[] = [];
    exitQuietlyOnBrokenPipe(stream, (code) => exits.push(code), (line) => lines.push(line));
    stream.emit('error', writeError('EPIPE'));
    expect(exits).toEqual([0]);
    expect(lines).toEqual([]);
  });

  it('any other write error is one line on stderr and exit 1, never a throw from the listener', () => {
    const stream = fakeStdout();
    const exits: number[] = [];
    const lines: string[] = [];
    exitQuietlyOnBrokenPipe(stream, (code) => exits.push(code), (line) => lines.push(line));
    expect(() => stream.emit('error', writeError('EIO'))).not.toThrow();
    expect(exits).toEqual([1]);
    expect(lines).toEqual(['las: cannot write output: EIO write EIO\n']);
  });

  it('leaves other write errors to another listener when there is one (las listen reports them itself)', () => {
    const stream = fakeStdout();
    const exits: number[] = [];
    const seen: string[] = [];
    exitQuietlyOnBrokenPipe(stream, (code) => exits.push(code), () => undefined);
    stream.on('error', (err: NodeJS.ErrnoException) => seen.push(err.code ?? ''));
    stream.emit('error', writeError('EIO'));
    expect(exits).toEqual([]);
    expect(seen).toEqual(['EIO']);
  });
});
