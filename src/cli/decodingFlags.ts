import { MODE_NAMES, type ModeName } from '../attention/types.ts';
import { MAX_BEAM, MAX_LM_WEIGHT, validateDecodingOptions, type DecodingOptions } from '../decoding/options.ts';
import { TIMESTAMP_SOURCES, type TimestampSource } from '../decoding/ctcTiming.ts';
import { choiceFlag, integerFlag, numberFlag, UsageError } from './flags.ts';

/**
 * The parseArgs options of the search flags (beam, CTC and LM weights): every command that
 * decodes takes them; `las serve` and `las compare` take these without the mode and window.
 */
export const SEARCH_FLAG_OPTIONS = {
  beam: { type: 'string' },
  'ctc-weight': { type: 'string' },
  'lm-weight': { type: 'string' },
  'word-lm-weight': { type: 'string' },
} as const;

/** The parseArgs options of the decoding flags, shared by `las transcribe`, `las queue add` and `las listen`. */
export const DECODING_FLAG_OPTIONS = {
  attention: { type: 'string' },
  ...SEARCH_FLAG_OPTIONS,
  left: { type: 'string' },
  right: { type: 'string' },
  timestamps: { type: 'string' },
} as const;

export interface SearchFlagValues {
  readonly beam?: string;
  readonly 'ctc-weight'?: string;
  readonly 'lm-weight'?: string;
  readonly 'word-lm-weight'?: string;
}

export interface DecodingFlagValues extends SearchFlagValues {
  readonly attention?: string;
  readonly left?: string;
  readonly right?: string;
  readonly timestamps?: string;
}

/** --beam, --ctc-weight, --lm-weight, --word-lm-weight as numbers, range-checked (UsageError); undefined where absent. */
export function searchFlagFields(values: SearchFlagValues) {
  return {
    beam: integerFlag('beam', values.beam, 1, MAX_BEAM),
    ctcWeight: numberFlag('ctc-weight', values['ctc-weight'], 0, 1),
    lmWeight: numberFlag('lm-weight', values['lm-weight'], 0, MAX_LM_WEIGHT),
    wordLmWeight: numberFlag('word-lm-weight', values['word-lm-weight'], 0, MAX_LM_WEIGHT),
  };
}

/** The decoding flags' values as numbers, a mode and a timestamp source, range-checked (UsageError), not yet validated together. */
export function decodingFlagFields(values: DecodingFlagValues, defaultMode: ModeName) {
  return {
    mode: choiceFlag('attention', values.attention, MODE_NAMES) ?? defaultMode,
    ...searchFlagFields(values),
    left: integerFlag('left', values.left, 0, 100_000),
    right: integerFlag('right', values.right, 0, 100_000),
    timestamps: timestampsFlag(values.timestamps),
  };
}

/** `--timestamps ctc|attention` (where word times come from), or undefined when absent. */
export function timestampsFlag(value: string | undefined): TimestampSource | undefined {
  return choiceFlag('timestamps', value, TIMESTAMP_SOURCES);
}

/** --attention, --beam, --ctc-weight, --lm-weight, --word-lm-weight, --left, --right, --timestamps as checked DecodingOptions. */
export function parseDecodingFlags(values: DecodingFlagValues): DecodingOptions {
  const fields = decodingFlagFields(values, 'global');
  if ((values.left !== undefined || values.right !== undefined) && fields.mode !== 'local') throw new UsageError('--left and --right set the local attention window; add --attention local');
  return validateDecodingOptions(fields);
}
