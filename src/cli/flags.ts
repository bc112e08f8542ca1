import { ConfigError } from '../errors.ts';
import { PRECISIONS, validateSessionOptions, type SessionOptions } from '../model/sessionOptions.ts';
import { stripUndefined } from '../util/stripUndefined.ts';

/**
 * A command-line mistake: the command prints its message in one line and exits with 2 (usage),
 * where a bad input file or model exits with 1.
 */
export class UsageError extends ConfigError {}

/** `--name N`: a whole number in [min, max], or undefined when the flag is absent. */
export function integerFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** `--name X`: a decimal number in [min, max], or undefined when the flag is absent. */
export function numberFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^(\d+\.?\d*|\.\d+)$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(Number.isFinite(n) && n >= min && n <= max)) throw new UsageError(`--${name} must be a number in ${min}..${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** `--name a` where a is one of `allowed`. */
export function choiceFlag<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/**
 * Runs the parse step of a command: a ConfigError (UsageError included) or a util.parseArgs
 * error (unknown option, missing value) is printed as one line and becomes exit code 2.
 */
export function usage<T extends object>(command: string, parse: () => T): T | number {
  try {
    return parse();
  } catch (err) {
    const parseArgsError = err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_');
    if (err instanceof ConfigError || parseArgsError) {
      process.stderr.write(`las ${command}: ${(err as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    throw err;
  }
}

/** The options of `--threads` and `--precision`, for util.parseArgs. */
export const SESSION_FLAG_OPTIONS = { threads: { type: 'string' }, precision: { type: 'string' } } as const;

/** Their help lines (each command's HELP lists them where its options are). */
export const SESSION_FLAG_HELP = `  --threads N               ONNX threads per operator (default 1)
  --precision auto|int8|float32
                            which copy of the model's graphs to run: auto (default) takes the
                            int8 one where the bundle has it (its decoder step), float32 the
                            float graphs only`;

/** `--threads` and `--precision` as session options (only those given), checked. */
export function sessionFlags(values: { readonly threads?: string | undefined; readonly precision?: string | undefined }): Partial<SessionOptions> {
  const threads = integerFlag('threads', values.threads, 1, 256);
  const precision = choiceFlag('precision', values.precision, PRECISIONS);
  const options: Partial<SessionOptions> = stripUndefined({ intraOpThreads: threads, precision });
  validateSessionOptions(options);
  return options;
}
