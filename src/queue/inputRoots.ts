import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AudioError, ConfigError, QueueError } from '../errors.ts';

/**
 * The folders a worker may read job files from, resolved once (symbolic links followed), so a
 * job cannot name a file outside them by `..`, by an absolute path or through a link.
 */
export interface InputRoot {
  /** The folder as given, made absolute. */
  readonly given: string;
  /** The same with every link resolved. */
  readonly real: string;
}

export async function resolveInputRoots(roots: readonly string[]): Promise<readonly InputRoot[]> {
  return Promise.all(
    roots.map(async (root) => {
      try {
        return { given: resolve(root), real: await realpath(resolve(root)) };
      } catch (cause) {
        throw new ConfigError(`input root cannot be resolved (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, root);
      }
    }),
  );
}

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

/**
 * A job's path as the file the worker will read: absolute, with every link resolved, and
 * inside one of `roots` (already resolved by resolveInputRoots). Outside is QueueError
 * PATH_OUTSIDE_ROOTS; a file that does not exist is AudioError READ_FAILED. Both name `input`.
 */
export async function resolveInRoots(path: string, roots: readonly InputRoot[], input: string): Promise<string> {
  if (!isAbsolute(path)) throw new QueueError('PATH_OUTSIDE_ROOTS', 'a job path must be absolute', input);
  if (roots.length === 0) throw new QueueError('PATH_OUTSIDE_ROOTS', 'this worker has no input roots: it takes bytes jobs only (start it with --input-root DIR)', input);
  // Refused before touching the file system, so a probe for what exists outside learns nothing.
  if (!roots.some((root) => inside(root.given, resolve(path)) || inside(root.real, resolve(path)))) throw new QueueError('PATH_OUTSIDE_ROOTS', `outside the worker's input roots`, input);
  let real: string;
  try {
    real = await realpath(path);
  } catch (cause) {
    throw new AudioError('READ_FAILED', `cannot read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, input, { cause });
  }
  if (!roots.some((root) => inside(root.real, real))) throw new QueueError('PATH_OUTSIDE_ROOTS', `a link leads outside the worker's input roots`, input);
  return real;
}
