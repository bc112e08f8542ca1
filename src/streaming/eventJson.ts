import type { PartialEvent, StreamEvent, StreamToken, WindowPosition } from './events.ts';

/**
 * The JSON-lines form of stream events (`las listen --json`). Two differences from the events
 * themselves:
 *  - times (seconds) are rounded to the millisecond, the precision they carry;
 *  - a partial event does not repeat the tokens already sent: `newTokens` are the tokens from
 *    index `tokensFrom` on, so a reader keeps `tokens.slice(0, tokensFrom).concat(newTokens)`.
 *    The first partial of an utterance has `tokensFrom` 0. A final event carries every token,
 *    so it stands alone.
 */
export interface PartialRecord {
  readonly type: 'partial';
  readonly utterance: number;
  readonly text: string;
  readonly tokensFrom: number;
  readonly newTokens: readonly StreamToken[];
  readonly window: WindowPosition;
  readonly audioTime: number;
}

/** Seconds to the millisecond. */
export const roundSeconds = (seconds: number): number => Math.round(seconds * 1000) / 1000;

const roundToken = (t: StreamToken): StreamToken => ({ token: t.token, start: roundSeconds(t.start), end: roundSeconds(t.end), emittedAt: roundSeconds(t.emittedAt) });
const roundWindow = (w: WindowPosition): WindowPosition => ({ start: roundSeconds(w.start), end: roundSeconds(w.end), pointer: roundSeconds(w.pointer) });

const sameToken = (a: StreamToken, b: StreamToken) => a.token === b.token && a.start === b.start && a.end === b.end && a.emittedAt === b.emittedAt;

/** One encoder per stream: it remembers the tokens of the utterance sent so far. */
export function createEventJsonEncoder(): (event: StreamEvent) => string {
  let utterance = -1;
  let sent: readonly StreamToken[] = [];
  const partial = (event: PartialEvent): PartialRecord => {
    if (event.utterance !== utterance) sent = [];
    let from = 0;
    while (from < sent.length && from < event.tokens.length && sameToken(sent[from]!, event.tokens[from]!)) from++;
    utterance = event.utterance;
    sent = event.tokens;
    return { type: 'partial', utterance: event.utterance, text: event.text, tokensFrom: from, newTokens: event.tokens.slice(from).map(roundToken), window: roundWindow(event.window), audioTime: roundSeconds(event.audioTime) };
  };
  return (event) => {
    switch (event.type) {
      case 'partial':
        return `${JSON.stringify(partial(event))}\n`;
      case 'final':
        sent = [];
        utterance = -1;
        return `${JSON.stringify({ ...event, tokens: event.tokens.map(roundToken), window: roundWindow(event.window), audioTime: roundSeconds(event.audioTime), start: roundSeconds(event.start), end: roundSeconds(event.end) })}\n`;
      case 'error':
        return `${JSON.stringify({ ...event, audioTime: roundSeconds(event.audioTime) })}\n`;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  };
}
