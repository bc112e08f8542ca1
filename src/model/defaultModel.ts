import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../packageRoot.ts';

/** The trained bundle shipped inside the package, wherever the package is installed. */
export const BUNDLED_MODEL_DIR = resolve(PACKAGE_ROOT, 'models/las-small');

/** Environment variable naming a bundle to use instead of the shipped one. */
export const MODEL_ENV_VAR = 'LAS_MODEL';

/**
 * The bundle used when none is named: `$LAS_MODEL` when set (resolved against the current
 * directory), otherwise BUNDLED_MODEL_DIR. An explicit directory (`loadModel(dir)`, `--model`)
 * always wins over both.
 */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[MODEL_ENV_VAR];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : BUNDLED_MODEL_DIR;
}
