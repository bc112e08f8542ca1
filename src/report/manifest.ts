import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, LasError, ManifestError } from '../errors.ts';

/**
 * Transcript tables: `path<TAB>transcript` per line (a manifest for `las compare`, refs.tsv for
 * `las transcribe --ref`). An optional header line, blank lines and `#` comment lines are
 * skipped; anything else that does not fit is a ManifestError naming the file and line.
 */
export interface TranscriptRow {
  /** The path as written in the table. */
  readonly name: string;
  readonly transcript: string;
  readonly line: number;
}

/** First fields that mark a header line rather than a file called "path". */
const HEADER_NAMES = new Set(['path', 'file', 'filename', 'file_name', 'wav', 'audio', 'id', 'utterance']);

/** Parses the table text; `source` names it in errors. */
export function parseTranscriptTable(content: string, source: string): TranscriptRow[] {
  const rows: TranscriptRow[] = [];
  const seen = new Map<string, number>();
  let first = true;
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fields = raw.split('\t');
    const isHeader = first && HEADER_NAMES.has(fields[0].trim().toLowerCase());
    first = false;
    if (isHeader) return;
    if (fields.length !== 2) throw new ManifestError(`expected 2 tab-separated fields (path, transcript), found ${fields.length}`, source, line);
    const name = fields[0].trim();
    const transcript = fields[1].trim();
    if (name === '') throw new ManifestError('empty path', source, line);
    if (transcript === '') throw new ManifestError(`empty transcript for ${name}`, source, line);
    const earlier = seen.get(name);
    if (earlier !== undefined) throw new ManifestError(`${name} is listed twice (first on line ${earlier})`, source, line);
    seen.set(name, line);
    rows.push({ name, transcript, line });
  });
  return rows;
}

/** One utterance to compare: `id` names it (as written), `path` is where to read it. */
export interface ManifestEntry {
  readonly id: string;
  readonly path: string;
  /** The reference; absent for a WAV in a folder that refs.tsv does not list. */
  readonly transcript?: string;
}

/** The references file looked for in a folder of WAVs. */
export const FOLDER_REFS = 'refs.tsv';

/** Manifest rows with their paths resolved against the manifest's folder. */
export function parseManifest(content: string, manifestPath: string): ManifestEntry[] {
  const base = dirname(resolve(manifestPath));
  return parseTranscriptTable(content, manifestPath).map((row) => ({
    id: row.name,
    path: isAbsolute(row.name) ? row.name : resolve(base, row.name),
    transcript: row.transcript,
  }));
}

/**
 * Finds each input's reference in a refs table: by the path as given, by the path resolved
 * against the table's folder, then by file name when exactly one row has that file name.
 * Returns the inputs that have one; `refsPath` is the table's own path.
 */
export function matchReferences(rows: readonly TranscriptRow[], refsPath: string, inputs: readonly string[]): Map<string, string> {
  const base = dirname(resolve(refsPath));
  const byName = new Map(rows.map((r) => [r.name, r.transcript]));
  const byResolved = new Map(rows.map((r) => [resolve(base, r.name), r.transcript]));
  const byBase = new Map<string, string | null>();
  for (const r of rows) byBase.set(basename(r.name), byBase.has(basename(r.name)) ? null : r.transcript); // null: ambiguous
  const found = new Map<string, string>();
  for (const input of inputs) {
    const ref = byName.get(input) ?? byResolved.get(resolve(input)) ?? byBase.get(basename(input)) ?? undefined;
    if (ref !== undefined && ref !== null) found.set(input, ref);
  }
  return found;
}

/**
 * What `las compare` reads: a manifest file, or a folder meaning every `*.wav` directly inside
 * it (sorted by name), with references from its refs.tsv when present. A manifest or folder
 * with no utterances is a ConfigError: comparing nothing is a mistake, not an empty report.
 */
export async function readComparisonInput(pathOrDir: string): Promise<ManifestEntry[]> {
  const info = await stat(pathOrDir).catch(() => undefined);
  if (info === undefined) throw new LasError('NOT_FOUND', 'no such manifest file or folder', pathOrDir);
  let entries: ManifestEntry[];
  if (info.isDirectory()) {
    const names = (await readdir(pathOrDir, { withFileTypes: true }))
      .filter((d) => d.isFile() && /\.wav$/i.test(d.name))
      .map((d) => d.name)
      .sort();
    const refsPath = join(pathOrDir, FOLDER_REFS);
    const refsText = await readFile(refsPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new LasError('READ_FAILED', `cannot read (${e.message})`, refsPath);
    });
    const refs = refsText === undefined ? new Map<string, string>() : matchReferences(parseTranscriptTable(refsText, refsPath), refsPath, names.map((n) => join(pathOrDir, n)));
    entries = names.map((name) => {
      const path = join(pathOrDir, name);
      const transcript = refs.get(path);
      return transcript === undefined ? { id: name, path } : { id: name, path, transcript };
    });
  } else {
    const text = await readFile(pathOrDir, 'utf8').catch((e: Error) => {
      throw new LasError('READ_FAILED', `cannot read (${e.message})`, pathOrDir);
    });
    entries = parseManifest(text, pathOrDir);
  }
  if (entries.length === 0) throw new ConfigError(info.isDirectory() ? 'no .wav files in this folder' : 'the manifest lists no utterances', pathOrDir);
  return entries;
}

/** The references of the entries that have one, by entry id. */
export function referencesOf(entries: readonly ManifestEntry[]): Map<string, string> {
  return new Map(entries.flatMap((e) => (e.transcript === undefined ? [] : [[e.id, e.transcript] as const])));
}

/** Reads a refs table and matches it against the inputs (see matchReferences). */
export async function loadReferences(refsPath: string, inputs: readonly string[]): Promise<Map<string, string>> {
  const text = await readFile(refsPath, 'utf8').catch((e: Error) => {
    throw new LasError('READ_FAILED', `cannot read the references (${e.message})`, refsPath);
  });
  return matchReferences(parseTranscriptTable(text, refsPath), refsPath, inputs);
}
