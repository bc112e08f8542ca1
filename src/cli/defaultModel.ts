import { defaultModelDir } from '../model/defaultModel.ts';

/**
 * The model bundle the commands use when no --model is given: `$LAS_MODEL` when set, otherwise
 * the trained bundle shipped in the package (found from the package root, so the CLI works from
 * any directory and wherever the package is installed).
 */
export const DEFAULT_MODEL_DIR = defaultModelDir();
