import type { StreamToken } from './events.ts';
import type { CtcSpike, SpikeTracker } from './ctcSpikes.ts';

/**
 * Where local-mode partial text comes from. The list exists once.
 *  - 'attention': the attention decoder's greedy characters only, each shown once its window
 *    [p - L, p + R] has arrived (R encoder frames after its audio), never revised.
 *  - 'triggered': those, and after them, provisionally, one greedy attention step for each
 *    character the CTC head has spiked on past the decoder's pointer, run at once over the
 *    frames that exist (triggered attention, Moritz et al. 2019: spikeSteps.ts). Each is
 *    replaced by the decoder's own character once its window has arrived. After the decoder's
 *    <eos>, the spiked characters themselves.
 *  - 'ctc': the CTC greedy transcript, each character shown at its spike. The encoder is
 *    causal, so a frame's CTC scores never change: the text only grows.
 * Finals are offline decodes whatever the source (test/streaming/equivalence.test.ts).
 */
export const PARTIAL_SOURCES = ['attention', 'triggered', 'ctc'] as const;
export type PartialSource = (typeof PARTIAL_SOURCES)[number];

export function isPartialSource(name: unknown): name is PartialSource {
  return typeof name === 'string' && (PARTIAL_SOURCES as readonly string[]).includes(name);
}

/**
 * A CTC spike this many frames after the pointer that repeats the decoder's last character is
 * that character, not a new one: CTC spikes and attention peaks of the same character fall on
 * the same frame about half the time and one frame apart most of the rest (measured on 40
 * validation utterances, README "Decoding", Streaming).
 */
export const SAME_CHARACTER_FRAMES = 1;

/** Where the attention decoder stands: its pointer and the last character it emitted. */
export interface DecoderPosition {
  /** Encoder frame the attention is centred on; undefined before the first step. */
  readonly pointer: number | undefined;
  /** Token id of the last text character emitted; undefined when none. */
  readonly lastToken: number | undefined;
}

/**
 * The spikes of characters the decoder has not reached: those after its pointer, less a first
 * one that is the decoder's last character heard a frame later (SAME_CHARACTER_FRAMES).
 */
export function spikesAhead(spikes: Pick<SpikeTracker, 'after'>, at: DecoderPosition): readonly CtcSpike[] {
  if (at.pointer === undefined) return spikes.after(-1);
  const ahead = spikes.after(at.pointer);
  const first = ahead[0];
  if (first !== undefined && first.token === at.lastToken && first.frame <= at.pointer + SAME_CHARACTER_FRAMES) return ahead.slice(1);
  return ahead;
}

/** Spikes as stream tokens, one encoder frame long, from `offsetSeconds` (the utterance's start). */
export function spikeTokens(spikes: readonly CtcSpike[], tokens: readonly string[], frameSeconds: number, offsetSeconds: number, emittedAt: number): StreamToken[] {
  return spikes.map((s) => {
    const start = offsetSeconds + s.frame * frameSeconds;
    return { token: tokens[s.token], start, end: start + frameSeconds, emittedAt };
  });
}

/** The text shown for `tokens`: their characters, with the text contract's single inner spaces. */
export function shownText(tokens: readonly StreamToken[]): string {
  return tokens
    .map((t) => t.token)
    .join('')
    .replace(/ +/g, ' ')
    .trim();
}

/** Whether two shown token lists spell the same characters. */
export function sameCharacters(a: readonly StreamToken[], b: readonly StreamToken[]): boolean {
  return a.length === b.length && a.every((t, i) => t.token === b[i].token);
}
