import { ConfigError } from '../errors.ts';

/**
 * Refuses an options object that is not an object, or that holds a key outside `known`, with a
 * ConfigError naming the key: a misspelt option (`beamWidth` for `beam`) would otherwise be
 * ignored and its default used without a word. `what` names the kind of option in the message.
 */
export function assertKnownKeys(options: unknown, known: readonly string[], what: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ConfigError(`${what} options must be an object`, what);
  for (const key of Object.keys(options))
    if (!known.includes(key)) throw new ConfigError(`unknown ${what} option "${key}" (known: ${known.join(', ')})`, key);
}
