import { ConfigError } from '../errors.ts';
import { isModeName } from '../model/modeNames.ts';
import { createGlobalMode } from './global.ts';
import { createLocalMode } from './localMonotonic.ts';
import { MODE_NAMES, type AnyAttentionMode, type AttentionParams, type ModeName } from './types.ts';

type ModeFactory = (params: AttentionParams) => AnyAttentionMode;

/** One factory per name; `satisfies` makes a missing or extra mode a compile error. */
export const MODES = {
  global: () => createGlobalMode(),
  local: (params) => createLocalMode(params),
} satisfies Record<ModeName, ModeFactory>;

export { isModeName };

/** Validates the window sizes a mode is built with; `input` names their source in errors. */
export function validateAttentionParams(params: AttentionParams, input = 'attention'): AttentionParams {
  for (const key of ['left', 'right'] as const) {
    const v = params[key];
    if (!(Number.isInteger(v) && v >= 0)) throw new ConfigError(`${key} must be a non-negative integer number of encoder frames, got ${String(v)}`, input);
  }
  return params;
}

/** The mode called `name`, built with `params`; a ConfigError lists the valid names otherwise. */
export function getMode(name: string, params: AttentionParams): AnyAttentionMode {
  if (!isModeName(name)) throw new ConfigError(`unknown attention mode "${name}" (valid: ${MODE_NAMES.join(', ')})`, 'mode');
  validateAttentionParams(params);
  switch (name) {
    case 'global':
      return MODES.global();
    case 'local':
      return MODES.local(params);
    default: {
      const unreachable: never = name;
      throw new ConfigError(`unknown attention mode "${String(unreachable)}"`, 'mode');
    }
  }
}
