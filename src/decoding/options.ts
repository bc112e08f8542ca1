import { isModeName, MODE_NAMES, type ModeName } from '../attention/index.ts';
import { ConfigError } from '../errors.ts';
import { assertKnownKeys } from '../util/knownKeys.ts';
import { stripUndefined } from '../util/stripUndefined.ts';
import { isTimestampSource, TIMESTAMP_SOURCES, type TimestampSource } from './ctcTiming.ts';

/** How one utterance is decoded. One read-only object; defaults in DEFAULT_DECODING_OPTIONS. */
export interface DecodingOptions {
  /** Attention mode; see src/attention. Default 'global' (every frame, offline). */
  readonly mode: ModeName;
  /** Beam width; 1 is greedy search. Default DEFAULT_BEAM (8). */
  readonly beam: number;
  /**
   * Finished hypotheses are ranked by logProb / length ** lengthPenalty, so 0 ranks by raw
   * log probability (favours short outputs) and 1 by mean log probability per token. Default 1.
   */
  readonly lengthPenalty: number;
  /** Output-length cap: ceil(encoderFrames * maxTokensPerFrame) + maxLengthSlack tokens. Defaults 1 and 10. */
  readonly maxTokensPerFrame: number;
  readonly maxLengthSlack: number;
  /** Local-mode window sizes in encoder frames; default: the bundle's attention.left/right. */
  readonly left?: number;
  readonly right?: number;
  /**
   * Weight lambda of the CTC head in joint CTC/attention decoding (Watanabe et al. 2017):
   * tokens score lambda log p_ctc + (1 - lambda) log p_att, <eos> included. 0 is the attention
   * decoder alone; 1 is CTC prefix search. In [0, 1]; default DEFAULT_CTC_WEIGHT (chosen on the
   * validation voices, see README "Decoding").
   */
  readonly ctcWeight: number;
  /**
   * Weight of the bundle's language model in shallow fusion: every token's score gains
   * lmWeight * ln p_lm(token | characters so far), <eos> as the end of the sentence. 0 is off.
   * Default (undefined): the bundle's own weight (config.json lm.weight, chosen on the
   * validation voices), or 0 when the bundle has no LM. A weight > 0 needs a bundle with an LM.
   */
  readonly lmWeight?: number;
  /**
   * With the LM on, subtracted once for each word that is not a word of the LM's training text,
   * as soon as its spelling leaves every such word. Default (undefined): the bundle's
   * (config.json lm.oovPenalty), else 0.
   */
  readonly oovPenalty?: number;
  /** With the LM on, subtracted at every space (fusion otherwise splits words). Default (undefined): the bundle's (config.json lm.wordPenalty), else 0. */
  readonly wordPenalty?: number;
  /**
   * With the LM on, the weight of the bundle's word LM, scored at each word's end (multi-level
   * fusion). Default (undefined): the bundle's (config.json lm.word.weight), else 0; off with the
   * character LM (lmWeight 0). A weight > 0 needs a bundle with a word LM and the character LM on
   * (ConfigError otherwise, see effectiveWordLmWeight).
   */
  readonly wordLmWeight?: number;
  /**
   * The search ends once every live hypothesis's ranked score (with lengthPenalty 1, its mean
   * score per token so far) is more than endMargin below the best finished hypothesis's. A
   * heuristic, like ESPnet's end detection; Infinity leaves only the exact rule (no live
   * hypothesis could still outscore it), which with length normalisation runs nearly to the
   * length cap. Default DEFAULT_END_MARGIN.
   */
  readonly endMargin: number;
  /** Also return the attention matrix [tokens, encoderFrames]. Default false. */
  readonly returnAttention: boolean;
  /**
   * Where token and word times come from: 'ctc', the CTC forced alignment of the decoded text
   * (the attention peaks where no CTC path spells it), or 'attention', the attention peak of each
   * step. Default DEFAULT_TIMESTAMPS (the closer to true word boundaries, README "Subtitles").
   */
  readonly timestamps: TimestampSource;
}

/** Measured by bench/timestamps.ts on validation sentences (README "Subtitles"). */
export const DEFAULT_TIMESTAMPS: TimestampSource = 'ctc';

/** Chosen on the validation voices (bench/evalDecoding.ts over validation.tsv; with beam 4 the optimum is flat from 0.2 to 0.4, and at beam 8 0.3 and 0.4 tie: README "Decoding"). */
export const DEFAULT_CTC_WEIGHT = 0.3;

/**
 * Fused with the LM, a wider beam loses far fewer good hypotheses (validation WER 55.2 / 51.4 /
 * 50.1 / 48.5 % at beams 4 / 8 / 12 / 16 in local mode; without the LM 63.6 at 4 and 62.0 at 16).
 * Beam 8's CPU RTF on one thread is 0.012-0.015 (held-out split, README "Decoding results"),
 * above issue 9's 0.01; beam 4 stays near it.
 */
export const DEFAULT_BEAM = 8;

/**
 * Chosen on the 300 validation utterances at the default search (beam 8): margins 0, 0.15 and
 * 0.3 made 18 %, 13 % and 9 % fewer decoder calls than no margin; 0 changed 11 (local) and 17
 * (global) transcripts and cost WER, 0.15 and 0.3 changed none. Measured again with the int8
 * decoder step (tmp script, decoder calls per audio second, global / local): 0.3 17.24 / 17.38,
 * 0.15 16.50 / 16.66, 0.1 16.19 / 16.36, 0.05 15.92 / 16.10, none of the 300 transcripts
 * changed in either mode at any of them. 0.1 keeps twice the last safe margin, 0.05.
 */
export const DEFAULT_END_MARGIN = 0.1;

export const DEFAULT_DECODING_OPTIONS: DecodingOptions = Object.freeze({
  mode: 'global',
  beam: DEFAULT_BEAM,
  ctcWeight: DEFAULT_CTC_WEIGHT,
  lengthPenalty: 1,
  maxTokensPerFrame: 1,
  maxLengthSlack: 10,
  endMargin: DEFAULT_END_MARGIN,
  returnAttention: false,
  timestamps: DEFAULT_TIMESTAMPS,
});

/** An LM weight this large drowns the acoustic model entirely: certainly a mistake. */
export const MAX_LM_WEIGHT = 10;

/** A beam this wide is certainly a mistake (and would allocate beam x frames buffers). */
export const MAX_BEAM = 64;

/** Every key of DecodingOptions; validateDecodingOptions refuses any other. */
export const DECODING_OPTION_KEYS = [
  'mode', 'beam', 'lengthPenalty', 'maxTokensPerFrame', 'maxLengthSlack', 'left', 'right',
  'ctcWeight', 'lmWeight', 'oovPenalty', 'wordPenalty', 'wordLmWeight', 'endMargin', 'returnAttention', 'timestamps',
] as const satisfies readonly (keyof DecodingOptions)[];
/** A key added to DecodingOptions but not to the list fails to type-check here. */
export type UnlistedDecodingOption = Exclude<keyof DecodingOptions, (typeof DECODING_OPTION_KEYS)[number]>;
const everyKeyListed: [UnlistedDecodingOption] extends [never] ? true : never = true;
void everyKeyListed;

/**
 * Fills defaults and throws ConfigError naming the bad option; an unknown key is refused
 * (as normalizeText's are), so a misspelt option never silently falls back to its default.
 * Every check of these fields lives here: streaming options validate theirs through it.
 */
export function validateDecodingOptions(options: Partial<DecodingOptions> = {}): DecodingOptions {
  assertKnownKeys(options, DECODING_OPTION_KEYS, 'decoding');
  const o: DecodingOptions = { ...DEFAULT_DECODING_OPTIONS, ...stripUndefined(options) };
  const bad = (name: string, message: string): never => {
    throw new ConfigError(message, name);
  };
  if (!isModeName(o.mode)) bad('mode', `unknown attention mode ${JSON.stringify(o.mode)} (valid: ${MODE_NAMES.join(', ')})`);
  if (!(Number.isInteger(o.beam) && o.beam >= 1 && o.beam <= MAX_BEAM)) bad('beam', `beam must be an integer in 1..${MAX_BEAM}, got ${String(o.beam)}`);
  if (!(Number.isFinite(o.lengthPenalty) && o.lengthPenalty >= 0)) bad('lengthPenalty', `lengthPenalty must be a finite number >= 0, got ${String(o.lengthPenalty)}`);
  if (!(Number.isFinite(o.maxTokensPerFrame) && o.maxTokensPerFrame > 0)) bad('maxTokensPerFrame', `maxTokensPerFrame must be a finite number > 0, got ${String(o.maxTokensPerFrame)}`);
  if (!(Number.isInteger(o.maxLengthSlack) && o.maxLengthSlack >= 0)) bad('maxLengthSlack', `maxLengthSlack must be an integer >= 0, got ${String(o.maxLengthSlack)}`);
  for (const key of ['left', 'right'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (o.mode !== 'local') bad(key, `${key} sets the local attention window; it has no meaning in mode "${o.mode}"`);
    if (!(Number.isInteger(v) && v >= 0)) bad(key, `${key} must be an integer >= 0 (encoder frames), got ${String(v)}`);
  }
  if (!(typeof o.ctcWeight === 'number' && o.ctcWeight >= 0 && o.ctcWeight <= 1)) bad('ctcWeight', `ctcWeight must be a number in [0, 1] (0 = attention only), got ${String(o.ctcWeight)}`);
  if (o.lmWeight !== undefined && !(typeof o.lmWeight === 'number' && Number.isFinite(o.lmWeight) && o.lmWeight >= 0 && o.lmWeight <= MAX_LM_WEIGHT))
    bad('lmWeight', `lmWeight must be a number in [0, ${MAX_LM_WEIGHT}] (0 = no language model), got ${String(o.lmWeight)}`);
  if (o.wordLmWeight !== undefined && !(typeof o.wordLmWeight === 'number' && Number.isFinite(o.wordLmWeight) && o.wordLmWeight >= 0 && o.wordLmWeight <= MAX_LM_WEIGHT))
    bad('wordLmWeight', `wordLmWeight must be a number in [0, ${MAX_LM_WEIGHT}] (0 = no word language model), got ${String(o.wordLmWeight)}`);
  for (const key of ['oovPenalty', 'wordPenalty'] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) bad(key, `${key} must be a finite number >= 0, got ${String(v)}`);
  }
  if (!(typeof o.endMargin === 'number' && o.endMargin >= 0)) bad('endMargin', `endMargin must be a number >= 0 (Infinity: off), got ${String(o.endMargin)}`);
  if (typeof o.returnAttention !== 'boolean') bad('returnAttention', `returnAttention must be true or false, got ${String(o.returnAttention)}`);
  if (!isTimestampSource(o.timestamps)) bad('timestamps', `timestamps must be one of ${TIMESTAMP_SOURCES.join(', ')}, got ${JSON.stringify(o.timestamps)}`);
  return Object.freeze(o);
}

/** The output-length cap for an utterance of `encoderFrames` frames. */
export function maxOutputLength(encoderFrames: number, options: Pick<DecodingOptions, 'maxTokensPerFrame' | 'maxLengthSlack'>): number {
  return Math.ceil(encoderFrames * options.maxTokensPerFrame) + options.maxLengthSlack;
}
