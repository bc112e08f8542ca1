import { describe, expect, it } from 'vitest';
import { decodeWav, probeWav } from '../../src/audio/index.ts';
import { simpleWav } from './wavFixture.ts';

/** Issue 11, item 12: a second fmt chunk silently replaced the first. */
function fmtBody(sampleRate: number): Uint8Array {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(1, 0); // PCM
  body.writeUInt16LE(1, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE(sampleRate * 2, 8);
  body.writeUInt16LE(2, 12);
  body.writeUInt16LE(16, 14);
  return body;
}

describe('duplicated chunks', () => {
  it('a second fmt chunk before the data is MALFORMED_HEADER, naming the input and where', () => {
    const bytes = simpleWav([new Array(1600).fill(0)], 'pcm16', 16000, { chunksBeforeData: [{ id: 'fmt ', body: fmtBody(8000) }] });
    expect(() => probeWav(bytes, { input: 'two-fmt.wav' })).toThrow(expect.objectContaining({ code: 'MALFORMED_HEADER', input: 'two-fmt.wav', message: expect.stringMatching(/second fmt chunk at byte 36/) }));
    expect(() => decodeWav(bytes)).toThrow(expect.objectContaining({ code: 'MALFORMED_HEADER' }));
  });

  it('a second data chunk before the fmt is MALFORMED_HEADER', () => {
    const bytes = simpleWav([new Array(1600).fill(0)], 'pcm16', 16000, { dataFirst: true, chunksBeforeData: [{ id: 'data', body: new Uint8Array(64) }] });
    expect(() => probeWav(bytes)).toThrow(expect.objectContaining({ code: 'MALFORMED_HEADER', message: expect.stringMatching(/second data chunk/) }));
  });

  it('other repeated chunks (LIST, junk) are still fine', () => {
    const junk = { id: 'JUNK', body: new Uint8Array(6) };
    const bytes = simpleWav([new Array(1600).fill(0)], 'pcm16', 16000, { chunksBeforeFmt: [junk, junk], chunksBeforeData: [junk] });
    expect(probeWav(bytes).frames).toBe(1600);
  });
});
