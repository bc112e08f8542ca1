import { describe, expect, it } from 'vitest';
import { createEventJsonEncoder } from '../../src/streaming/eventJson.ts';
import type { FinalEvent, PartialEvent, StreamToken } from '../../src/streaming/events.ts';

const token = (t: string, at: number): StreamToken => ({ token: t, start: at, end: at + 0.04000000000000001, emittedAt: at + 0.3141592 });
const window = { start: 0.1234567, end: 0.6666666, pointer: 0.4444444 };
const partial = (utterance: number, tokens: StreamToken[]): PartialEvent => ({ type: 'partial', utterance, text: tokens.map((t) => t.token).join(''), tokens, window, audioTime: 1.23456789 });
const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('JSON lines of stream events', () => {
  it('partials carry only the tokens not sent before, from index tokensFrom', () => {
    const encode = createEventJsonEncoder();
    const [a, b, c] = [token('a', 0.2), token('b', 0.24), token('c', 0.28)];
    const first = parse(encode(partial(0, [a!])));
    const second = parse(encode(partial(0, [a!, b!, c!])));
    expect(first).toMatchObject({ tokensFrom: 0, newTokens: [{ token: 'a' }] });
    expect(second).toMatchObject({ tokensFrom: 1, newTokens: [{ token: 'b' }, { token: 'c' }], text: 'abc' });
    expect(second).not.toHaveProperty('tokens');
  });

  it('a rewritten partial restarts from the first token that changed', () => {
    const encode = createEventJsonEncoder();
    encode(partial(0, [token('a', 0.2), token('b', 0.24)]));
    expect(parse(encode(partial(0, [token('a', 0.2), token('x', 0.24)])))).toMatchObject({ tokensFrom: 1, newTokens: [{ token: 'x' }] });
  });

  it('a new utterance, or one after a final, starts from 0', () => {
    const encode = createEventJsonEncoder();
    encode(partial(0, [token('a', 0.2)]));
    expect(parse(encode(partial(1, [token('a', 0.2)])))).toMatchObject({ tokensFrom: 0 });
    const final: FinalEvent = { type: 'final', utterance: 1, text: 'a', tokens: [token('a', 0.2)], window, audioTime: 2, reason: 'end', start: 0, end: 2.0000001 };
    const finalRecord = parse(encode(final));
    expect(finalRecord).toMatchObject({ type: 'final', tokens: [{ token: 'a' }], end: 2 });
    expect(parse(encode(partial(1, [token('a', 0.2)])))).toMatchObject({ tokensFrom: 0 });
  });

  it('rounds every time to the millisecond', () => {
    const line = createEventJsonEncoder()(partial(0, [token('a', 0.2)]));
    expect(parse(line)).toEqual({ type: 'partial', utterance: 0, text: 'a', tokensFrom: 0, newTokens: [{ token: 'a', start: 0.2, end: 0.24, emittedAt: 0.514 }], window: { start: 0.123, end: 0.667, pointer: 0.444 }, audioTime: 1.235 });
    const error = parse(createEventJsonEncoder()({ type: 'error', code: 'RECORDER_DIED', message: 'gone', audioTime: 0.1000004 }));
    expect(error).toEqual({ type: 'error', code: 'RECORDER_DIED', message: 'gone', audioTime: 0.1 });
  });
});
