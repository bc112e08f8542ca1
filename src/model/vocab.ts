import { ModelError } from '../errors.ts';

/** docs/contracts.md section 3: ids of the special tokens, fixed by the contract. */
export const BLANK_ID = 0; // CTC only, never decoded by attention
export const SOS_ID = 1;
export const EOS_ID = 2;
export const SPECIAL_TOKENS = ['<blank>', '<sos>', '<eos>'] as const;
export const VOCAB_SIZE = 31;

/** The contract's vocabulary, for tests and for bundles that must match it. */
export const CONTRACT_VOCAB: readonly string[] = Object.freeze([
  ...SPECIAL_TOKENS,
  ' ',
  "'",
  ...Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i)),
]);

export interface Vocabulary {
  readonly tokens: readonly string[];
  readonly size: number;
  /** True for ids that are characters of the transcript (not <blank>, <sos>, <eos>). */
  isText(id: number): boolean;
  /** The transcript for token ids; special tokens are skipped. */
  decode(ids: ArrayLike<number>): string;
}

/** Checks a bundle's vocab (`input` names the config file) and builds the lookup. */
export function createVocabulary(tokens: unknown, input: string): Vocabulary {
  if (!Array.isArray(tokens) || tokens.length !== VOCAB_SIZE || !tokens.every((t) => typeof t === 'string'))
    throw new ModelError('MODEL_MISMATCH', `vocab must be an array of ${VOCAB_SIZE} strings`, input);
  SPECIAL_TOKENS.forEach((special, id) => {
    if (tokens[id] !== special) throw new ModelError('MODEL_MISMATCH', `vocab[${id}] must be "${special}", got ${JSON.stringify(tokens[id])}`, input);
  });
  const text = tokens.slice(SPECIAL_TOKENS.length) as string[];
  // Text tokens are single characters: the decoder spells, and the scorer splits on ' '.
  const bad = text.findIndex((t) => [...t].length !== 1);
  if (bad >= 0) throw new ModelError('MODEL_MISMATCH', `vocab[${bad + SPECIAL_TOKENS.length}] must be one character, got ${JSON.stringify(text[bad])}`, input);
  if (new Set(tokens).size !== tokens.length) throw new ModelError('MODEL_MISMATCH', 'vocab has duplicate entries', input);
  const frozen = Object.freeze([...(tokens as string[])]);
  const isText = (id: number) => Number.isInteger(id) && id >= SPECIAL_TOKENS.length && id < frozen.length;
  return Object.freeze({
    tokens: frozen,
    size: frozen.length,
    isText,
    decode: (ids: ArrayLike<number>) => {
      let out = '';
      for (let i = 0; i < ids.length; i++) if (isText(ids[i])) out += frozen[ids[i]];
      return out;
    },
  });
}
