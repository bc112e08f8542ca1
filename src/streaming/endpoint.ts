import { ConfigError } from '../errors.ts';
import { stripUndefined } from '../util/stripUndefined.ts';
import { DEFAULT_VAD_OPTIONS, type VadOptions } from './vad.ts';

/**
 * When an utterance ends, after sherpa-onnx's three endpoint rules. "Silence" is the energy
 * VAD's verdict (vad.ts); "content" is decoded text, or at least `minUtterance` seconds of
 * speech (the only evidence in global mode, which decodes nothing before the endpoint).
 * Every duration is in seconds; Infinity switches a rule off.
 */
export interface EndpointOptions {
  /** Rule 1: trailing silence that ends an utterance holding no content. Default 2.4. */
  readonly silenceWithoutContent: number;
  /**
   * Rule 2: trailing silence that ends an utterance after some content. Default 0.25, chosen on
   * the validation voices (training/corpus/validation_longform.py: their sentences joined with
   * 0.3 s pauses): 0.3 merged most sentences there (104 segments for about 290 sentences, local
   * WER 64.6 %), 0.25 and 0.2 cut at them (327 and 334 segments, 55.2 % and 55.3 %), and on the
   * single validation sentences 0.25 cost nothing (55.6 % either way). The longest pause inside
   * a sentence of samples/longform-mixed.wav is 0.22 s (energy VAD), so that stays one cut.
   */
  readonly silenceAfterContent: number;
  /** Rule 3: an utterance ends at this length whatever it holds. Default 20. */
  readonly maxUtterance: number;
  /** Minimum utterance length: less speech than this is a click or a cough, not content. Default 0.25. */
  readonly minUtterance: number;
  /**
   * Silence kept before an utterance's first speech frame. An utterance starts where the
   * previous one ended, so after a long pause it would begin with all of it, and the decoder,
   * trained on clips that start with little silence, reads words into it (a 1.75 s pause before
   * each validation clip: local beam-1 WER 116.9 % against 89.2 % with none). Once the causal
   * VAD hears speech, the utterance restarts this long before the first speech frame, judged
   * with the frames so far all known (firstSegmentSpeechFrame: the causal VAD is blind at the
   * start of a stream). Default DEFAULT_LEADING_SILENCE; Infinity keeps the whole pause.
   */
  readonly leadingSilence: number;
  readonly vad: VadOptions;
}

/** Seconds of silence kept before an utterance's first speech frame (EndpointOptions.leadingSilence; chosen on validation, README "Streaming"). */
export const DEFAULT_LEADING_SILENCE = 0.1;

export const DEFAULT_ENDPOINT_OPTIONS: EndpointOptions = Object.freeze({
  silenceWithoutContent: 2.4,
  silenceAfterContent: 0.25,
  maxUtterance: 20,
  minUtterance: 0.25,
  leadingSilence: DEFAULT_LEADING_SILENCE,
  vad: DEFAULT_VAD_OPTIONS,
});

/** Endpointing switched off: one utterance, from the first sample until the input ends. */
export const NO_ENDPOINTS: EndpointOptions = Object.freeze({
  ...DEFAULT_ENDPOINT_OPTIONS,
  silenceWithoutContent: Number.POSITIVE_INFINITY,
  silenceAfterContent: Number.POSITIVE_INFINITY,
  maxUtterance: Number.POSITIVE_INFINITY,
  leadingSilence: Number.POSITIVE_INFINITY,
});

export type EndpointRule = 'rule1' | 'rule2' | 'rule3';

export function validateEndpointOptions(options: Partial<EndpointOptions> = {}, input = 'endpoint'): EndpointOptions {
  const o: EndpointOptions = { ...DEFAULT_ENDPOINT_OPTIONS, ...stripUndefined(options), vad: { ...DEFAULT_VAD_OPTIONS, ...stripUndefined(options.vad ?? {}) } };
  const positive = (name: string, v: number) => {
    if (!(typeof v === 'number' && v > 0)) throw new ConfigError(`${name} must be a number of seconds > 0 (Infinity switches the rule off), got ${String(v)}`, input);
  };
  positive('silenceWithoutContent', o.silenceWithoutContent);
  positive('silenceAfterContent', o.silenceAfterContent);
  positive('maxUtterance', o.maxUtterance);
  if (!(Number.isFinite(o.minUtterance) && o.minUtterance >= 0)) throw new ConfigError(`minUtterance must be a finite number of seconds >= 0, got ${String(o.minUtterance)}`, input);
  if (!(typeof o.leadingSilence === 'number' && o.leadingSilence >= 0)) throw new ConfigError(`leadingSilence must be a number of seconds >= 0 (Infinity keeps the whole pause), got ${String(o.leadingSilence)}`, input);
  const { thresholdDb, marginDb, floorWindowSeconds } = o.vad;
  if (!Number.isFinite(thresholdDb)) throw new ConfigError(`vad.thresholdDb must be a finite number, got ${String(thresholdDb)}`, input);
  if (!(Number.isFinite(marginDb) && marginDb >= 0)) throw new ConfigError(`vad.marginDb must be a finite number >= 0, got ${String(marginDb)}`, input);
  if (!(Number.isFinite(floorWindowSeconds) && floorWindowSeconds > 0 && floorWindowSeconds <= 60))
    throw new ConfigError(`vad.floorWindowSeconds must be a number of seconds in (0, 60], got ${String(floorWindowSeconds)}`, input);
  return Object.freeze({ ...o, vad: Object.freeze(o.vad) });
}

/** What the rules look at, measured at one point of the utterance. */
export interface UtteranceStatus {
  readonly length: number; // seconds since the utterance started
  readonly trailingSilence: number; // seconds since the last speech frame (or the start)
  readonly speech: number; // seconds of speech frames
  readonly hasText: boolean; // the decoder emitted text
}

/**
 * Where an utterance whose first speech frame is `firstSpeech` (feature frames, -1: none yet)
 * should start so that `leadingSilence` seconds stay before it: a multiple of `subsampling`,
 * 0 when the silence is short enough already. Pure, as the rules are.
 */
export function leadingSilenceCut(firstSpeech: number, o: Pick<EndpointOptions, 'leadingSilence'>, hopSeconds: number, subsampling: number): number {
  if (firstSpeech < 0 || !Number.isFinite(o.leadingSilence)) return 0;
  const keep = Math.round(o.leadingSilence / hopSeconds);
  return Math.max(0, Math.floor((firstSpeech - keep) / subsampling) * subsampling);
}

/** The first rule that fires, or undefined. Pure, so the rules are tested on their own. */
export function endpointRule(status: UtteranceStatus, o: EndpointOptions): EndpointRule | undefined {
  const content = status.hasText || status.speech >= o.minUtterance;
  if (status.length >= o.maxUtterance) return 'rule3';
  if (!content && status.trailingSilence >= o.silenceWithoutContent) return 'rule1';
  if (content && status.trailingSilence >= o.silenceAfterContent) return 'rule2';
  return undefined;
}

/**
 * The VAD flags of the current utterance, frame by frame, so the status can be measured at any
 * frame already seen (the encoder lags the features by up to one chunk).
 */
export interface SpeechTrack {
  /** The VAD's verdicts on the next frames, and their levels (dB, frameLevelsDb). */
  append(flags: Uint8Array, levels: ArrayLike<number>): void;
  /** Status over frames [0, frame) of the utterance. */
  statusAt(frame: number, hasText: boolean): UtteranceStatus;
  /** The first speech frame in [0, frame) of the utterance, or -1. */
  firstSpeechBefore(frame: number): number;
  /** Verdicts and levels of frames [0, frame) of the utterance (views, valid until the next call). */
  framesBefore(frame: number): { readonly flags: Uint8Array; readonly levels: Float32Array };
  /** Drops frames before `frame`: the next utterance starts there. */
  dropBefore(frame: number): void;
  /** Frames held. */
  readonly frames: number;
}

export function createSpeechTrack(hopSeconds: number): SpeechTrack {
  // Running totals, so a status costs O(1) however long the utterance: speechBefore[i] counts
  // the speech frames in [0, i), lastBefore[i] is the last speech frame before i (-1: none).
  // The verdicts and levels themselves are kept for the segment's own judgement at its end.
  let speechBefore = new Int32Array(1025);
  let lastBefore = new Int32Array(1025).fill(-1);
  let flags = new Uint8Array(1024);
  let levels = new Float32Array(1024);
  let length = 0;
  return {
    append(more, moreLevels) {
      if (moreLevels.length !== more.length) throw new RangeError(`speech track: ${more.length} verdicts but ${moreLevels.length} levels`);
      if (length + more.length + 1 > speechBefore.length) {
        const size = Math.max(2 * speechBefore.length, length + more.length + 1);
        const grownSpeech = new Int32Array(size);
        grownSpeech.set(speechBefore.subarray(0, length + 1));
        const grownLast = new Int32Array(size).fill(-1);
        grownLast.set(lastBefore.subarray(0, length + 1));
        const grownFlags = new Uint8Array(size);
        grownFlags.set(flags.subarray(0, length));
        const grownLevels = new Float32Array(size);
        grownLevels.set(levels.subarray(0, length));
        speechBefore = grownSpeech;
        lastBefore = grownLast;
        flags = grownFlags;
        levels = grownLevels;
      }
      for (let i = 0; i < more.length; i++) {
        const t = length + i;
        const speech = more[i] === 1;
        speechBefore[t + 1] = speechBefore[t] + (speech ? 1 : 0);
        lastBefore[t + 1] = speech ? t : lastBefore[t];
        flags[t] = more[i];
        levels[t] = moreLevels[i];
      }
      length += more.length;
    },
    statusAt(frame, hasText) {
      const end = Math.max(0, Math.min(frame, length));
      const lastSpeech = lastBefore[end];
      return { length: end * hopSeconds, trailingSilence: (end - 1 - lastSpeech) * hopSeconds, speech: speechBefore[end] * hopSeconds, hasText };
    },
    firstSpeechBefore(frame) {
      const end = Math.max(0, Math.min(frame, length));
      return speechBefore[end] === 0 ? -1 : flags.subarray(0, end).indexOf(1);
    },
    framesBefore(frame) {
      const end = Math.max(0, Math.min(frame, length));
      return { flags: flags.subarray(0, end), levels: levels.subarray(0, end) };
    },
    dropBefore(frame) {
      const cut = Math.max(0, Math.min(frame, length));
      const base = speechBefore[cut];
      for (let i = 0; i <= length - cut; i++) {
        speechBefore[i] = speechBefore[i + cut] - base;
        const last = lastBefore[i + cut];
        lastBefore[i] = last >= cut ? last - cut : -1;
      }
      flags.copyWithin(0, cut, length);
      levels.copyWithin(0, cut, length);
      length -= cut;
    },
    get frames() {
      return length;
    },
  };
}
