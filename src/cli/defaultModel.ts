import { resolve } from 'node:path';

/**
 * The model bundle `las transcribe` and `las compare` use when no --model is given: the trained
 * bundle shipped in the package (resolved from the package root, so the CLI works from any
 * directory). The one place that names it.
 */
export const DEFAULT_MODEL_DIR = resolve(import.meta.dirname, '../../models/las-small');
