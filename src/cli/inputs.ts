import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { FOLDER_REFS } from '../report/manifest.ts';

export interface ExpandedInputs {
  /** WAV paths (and '-'), in order; a folder becomes the `*.wav` files directly inside it, sorted by name. */
  readonly files: readonly string[];
  /** A single folder's refs.tsv, when the inputs are that one folder and it has one (as `las compare DIR` reads it). */
  readonly folderRefs?: string;
}

/**
 * `las transcribe DIR` reads a folder as `las compare DIR` does. Anything that is not an
 * existing folder stays as given, so a missing file is still reported by the batch under its name.
 */
export function expandInputs(inputs: readonly string[]): ExpandedInputs {
  const files: string[] = [];
  const folders: string[] = [];
  for (const input of inputs) {
    if (input === '-' || !isFolder(input)) {
      files.push(input);
      continue;
    }
    const names = readdirSync(input, { withFileTypes: true })
      .filter((d) => d.isFile() && /\.wav$/i.test(d.name))
      .map((d) => d.name)
      .sort();
    if (names.length === 0) {
      // Alone it is a usage error; in a batch it fails as its own item (READ_FAILED, naming it)
      // and the other inputs still complete.
      if (inputs.length === 1) throw new ConfigError('no .wav files in this folder', input);
      files.push(input);
      continue;
    }
    folders.push(input);
    files.push(...names.map((name) => join(input, name)));
  }
  const refs = inputs.length === 1 && folders.length === 1 ? join(folders[0]!, FOLDER_REFS) : undefined;
  return refs !== undefined && existsSync(refs) ? { files, folderRefs: refs } : { files };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
