import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileList } from '../../src/cli/fileList.ts';
import { libraryTexts } from './libraryText.ts';
import { runCli, SAMPLES, spawnCli, TINY } from './runCli.ts';

const A = join(SAMPLES, 'espeak-digits.wav');
const B = join(SAMPLES, 'espeak-command.wav');
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'las-files-from-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('las transcribe --files-from', () => {
  it('reads one path per line (CRLF and blank lines allowed), after the positional inputs', async () => {
    const list = join(scratch, 'list.txt');
    writeFileSync(list, `${B}\r\n\n${A}\n`);
    const run = await runCli(['transcribe', '--model', TINY, '--beam', '1', A, '--files-from', list]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual([A, B, A]);
  });

  it("reads the list from stdin with '-': a 40 KB list of 700 paths", async () => {
    const missing = Array.from({ length: 699 }, (_, i) => `/nonexistent/las-speech/files-from/stdin-list-entry-${String(i).padStart(4, '0')}.wav`);
    const list = [A, ...missing].join('\n');
    expect(list.length).toBeGreaterThan(40_000);
    const run = await spawnCli(['transcribe', '--model', TINY, '--beam', '1', '--format', 'json', '--files-from', '-'], Buffer.from(list));
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.file)).toEqual([A, ...missing]);
    expect([lines[0].text]).toEqual(await libraryTexts([A], { beam: 1 }));
  });

  it('is a usage error when the list is missing or empty, or stdin is asked for twice', async () => {
    const missing = await runCli(['transcribe', '--model', TINY, '--files-from', join(scratch, 'nope.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.txt: cannot read the file list \(ENOENT\)/);
    const empty = join(scratch, 'empty.txt');
    writeFileSync(empty, '\n\n');
    expect((await runCli(['transcribe', '--model', TINY, '--files-from', empty])).stderr).toMatch(/names no files/);
    const twice = await runCli(['transcribe', '--model', TINY, '-', '--files-from', '-']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/cannot be both/);
  });

  it('splits a NUL-separated list (find -print0) on NUL, so a path may hold a newline', () => {
    expect(readFileList('x', () => Buffer.from('a\nb.wav\0c.wav\0'))).toEqual(['a\nb.wav', 'c.wav']);
  });
});
