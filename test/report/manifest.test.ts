import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, LasError } from '../../src/errors.ts';
import { ManifestError } from '../../src/errors.ts';
import { loadReferences, matchReferences, parseManifest, parseTranscriptTable, readComparisonInput } from '../../src/report/manifest.ts';

function manifestError(f: () => unknown): ManifestError {
  try {
    f();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}

describe('transcript tables', () => {
  it('skips a header line, blank lines and comments; handles CRLF and a BOM', () => {
    const rows = parseTranscriptTable('\uFEFFpath\ttranscript\r\n# a comment\r\n\r\na.wav\thello world\r\nsub/b.wav\t  bye  \r\n', 'm.tsv');
    expect(rows).toEqual([
      { name: 'a.wav', transcript: 'hello world', line: 4 },
      { name: 'sub/b.wav', transcript: 'bye', line: 5 },
    ]);
  });

  it('treats a first line that names a file as data, not a header', () => {
    expect(parseTranscriptTable('a.wav\tone\n', 'm.tsv')).toHaveLength(1);
  });

  it.each([
    ['no tab', 'a.wav\tone\nb.wav two\n', 2, /expected 2 tab-separated fields/],
    ['an extra field', 'a.wav\tone\ttwo\n', 1, /found 3/],
    ['an empty path', '\tone\n', 1, /empty path/],
    ['an empty transcript', 'a.wav\tone\nb.wav\t \n', 2, /empty transcript for b\.wav/],
    ['a duplicate', 'a.wav\tone\n\na.wav\ttwo\n', 3, /listed twice \(first on line 1\)/],
  ])('rejects %s with a typed error naming the file and line', (_, text, line, message) => {
    const err = manifestError(() => parseTranscriptTable(text, 'data/m.tsv'));
    expect(err).toBeInstanceOf(LasError);
    expect(err.code).toBe('BAD_MANIFEST');
    expect(err.line).toBe(line);
    expect(err.input).toBe('data/m.tsv');
    expect(err.message).toMatch(new RegExp(`^data/m\\.tsv: line ${line}: `));
    expect(err.message).toMatch(message);
  });

  it('resolves manifest paths against the manifest folder, keeping absolute ones', () => {
    const entries = parseManifest('file\ttext\nsub/a.wav\tone\n/abs/b.wav\ttwo\n', 'corpus/lists/m.tsv');
    expect(entries).toEqual([
      { id: 'sub/a.wav', path: resolve('corpus/lists/sub/a.wav'), transcript: 'one' },
      { id: '/abs/b.wav', path: '/abs/b.wav', transcript: 'two' },
    ]);
  });
});

describe('matching references to inputs', () => {
  const rows = parseTranscriptTable('a.wav\tone\nx/b.wav\ttwo\ny/b.wav\tthree\nz/c.wav\tfour\n', 'refs/refs.tsv');

  it('matches by the path as given, by the path resolved against the table, then by a unique file name', () => {
    const found = matchReferences(rows, 'refs/refs.tsv', ['x/b.wav', 'refs/y/b.wav', 'elsewhere/c.wav', '/data/a.wav']);
    expect([...found]).toEqual([
      ['x/b.wav', 'two'],
      ['refs/y/b.wav', 'three'],
      ['elsewhere/c.wav', 'four'],
      ['/data/a.wav', 'one'],
    ]);
  });

  it('does not guess between two rows with the same file name', () => {
    expect(matchReferences(rows, 'refs/refs.tsv', ['other/b.wav', 'none.wav']).size).toBe(0);
  });
});

describe('comparison input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'las-manifest-'));
    mkdirSync(join(dir, 'withRefs'));
    for (const n of ['b.wav', 'a.WAV', 'notes.txt']) writeFileSync(join(dir, 'withRefs', n), '');
    writeFileSync(join(dir, 'withRefs', 'refs.tsv'), 'a.WAV\talpha\n');
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'm.tsv'), 'path\ttranscript\nsub/x.wav\thello\n');
    writeFileSync(join(dir, 'none.tsv'), '# nothing\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a folder: every WAV sorted by name, references from refs.tsv where listed', async () => {
    const entries = await readComparisonInput(join(dir, 'withRefs'));
    expect(entries).toEqual([
      { id: 'a.WAV', path: join(dir, 'withRefs', 'a.WAV'), transcript: 'alpha' },
      { id: 'b.wav', path: join(dir, 'withRefs', 'b.wav') },
    ]);
  });

  it('reads a manifest file with paths relative to it', async () => {
    expect(await readComparisonInput(join(dir, 'm.tsv'))).toEqual([{ id: 'sub/x.wav', path: join(dir, 'sub/x.wav'), transcript: 'hello' }]);
  });

  it('refuses nothing to compare and a missing path, naming it', async () => {
    await expect(readComparisonInput(join(dir, 'empty'))).rejects.toThrow(ConfigError);
    await expect(readComparisonInput(join(dir, 'none.tsv'))).rejects.toThrow(/lists no utterances/);
    await expect(readComparisonInput(join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND', input: join(dir, 'missing') });
  });

  it('loads a refs file for the inputs, and names an unreadable one', async () => {
    const refs = await loadReferences(join(dir, 'withRefs', 'refs.tsv'), [join(dir, 'withRefs', 'a.WAV'), 'b.wav']);
    expect([...refs.values()]).toEqual(['alpha']);
    await expect(loadReferences(join(dir, 'nope.tsv'), [])).rejects.toMatchObject({ code: 'READ_FAILED' });
  });
});
