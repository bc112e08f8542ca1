import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { UsageError } from './flags.ts';

/**
 * `--files-from FILE` (or `-` for stdin): one path per line, so a batch of any size needs no
 * long command line. Empty lines are skipped and a trailing CR is dropped (lists written on
 * Windows). A list holding NUL bytes is split on NUL instead (`find -print0`), for paths that
 * contain newlines.
 */
export function readFileList(source: string, read: (from: string | number) => Buffer = (from) => readFileSync(from)): string[] {
  const name = source === '-' ? '<stdin>' : source;
  let text: string;
  try {
    text = read(source === '-' ? 0 : source).toString('utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the file list (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, name);
  }
  const entries = text.includes('\0') ? text.split('\0') : text.split('\n').map((line) => line.replace(/\r$/, ''));
  const paths = entries.filter((entry) => entry.length > 0);
  if (paths.length === 0) throw new UsageError(`--files-from ${name}: the list names no files`);
  return paths;
}
