import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package's name in package.json, which marks its root. */
export const PACKAGE_NAME = 'las-speech';

/**
 * The folder that holds las-speech's package.json, found by walking up from `from`. The same code
 * runs from the sources (src/x/y.ts) and from the build (dist/src/x/y.js), one level deeper, so a
 * fixed `../..` would be right in only one of them; files that ship beside the code (the model
 * bundle, web/) are found from here instead.
 */
export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`);
  }
}

function readManifest(path: string): { name?: unknown; version?: unknown } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return {};
  }
}

/** Where the installed package (or this checkout) lives. */
export const PACKAGE_ROOT = findPackageRoot(import.meta.dirname);

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return String(readManifest(join(PACKAGE_ROOT, 'package.json')).version);
}
