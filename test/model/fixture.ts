import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The random-weight bundle the training recipe exports for interface tests. */
export const TINY = resolve(import.meta.dirname, '../../models/tiny-random');
/** The shipped bundle. */
export const SHIPPED = resolve(import.meta.dirname, '../../models/las-small');

/** Deterministic PRNG so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` values roughly N(0, 1), like normalised features. */
export function randomFeatures(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() + r() + r() - 1.5) * 2);
}

/** A scratch copy of the tiny bundle, optionally with config.json rewritten; call cleanup() after. */
export function copyBundle(editConfig?: (config: Record<string, any>) => void): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'las-bundle-'));
  cpSync(TINY, dir, { recursive: true });
  if (editConfig) {
    const path = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    editConfig(config);
    writeFileSync(path, JSON.stringify(config));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
