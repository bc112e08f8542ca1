import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMicrophone, type MicrophoneOptions } from '../../src/audio/microphone.ts';
import { MicrophoneError } from '../../src/errors.ts';
import type { RecorderCommand } from '../../src/audio/recorders.ts';

/** Fake recorders for issue 11, items 7 and 12: wrapper scripts, stalls, a split WAV header. */
const FIXTURES = resolve(import.meta.dirname, 'fixtures');
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'las-recorders-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sh = (script: string, ...args: string[]): RecorderCommand => ({ name: script, command: 'sh', args: [join(FIXTURES, script), ...args] });
const node = (script: string, ...args: string[]): RecorderCommand => ({ name: script, command: process.execPath, args: [join(FIXTURES, script), ...args] });

async function outcome(options: MicrophoneOptions): Promise<{ seconds: number; error: MicrophoneError | undefined }> {
  let samples = 0;
  try {
    for await (const chunk of recordMicrophone(options)) samples += chunk.samples.length;
  } catch (error) {
    if (!(error instanceof MicrophoneError)) throw error;
    return { seconds: samples / 16000, error };
  }
  return { seconds: samples / 16000, error: undefined };
}

/** Gone, or a zombie waiting for its parent to reap it. */
function dead(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return true;
  try {
    return /^State:\s+Z/m.test(readFileSync(status, 'utf8'));
  } catch {
    return true;
  }
}

describe('a wrapper recorder whose child keeps the pipe open', () => {
  it('that never writes ends with NO_DATA, and the child is stopped with it', async () => {
    const pidFile = join(scratch, 'silent.pid');
    const { error } = await outcome({ recorder: sh('wrapper-silent.sh', pidFile), startTimeoutMs: 300 });
    expect(error?.code).toBe('NO_DATA');
    expect(error?.message).toMatch(/wrote no audio in 300 ms/);
    expect(dead(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it('that stalls after a second of audio ends with NO_DATA, keeping the audio, and the child is stopped', async () => {
    const pidFile = join(scratch, 'stall.pid');
    const pcm = join(scratch, 'second.raw');
    const tone = Buffer.alloc(32000);
    for (let i = 0; i < 16000; i++) tone.writeInt16LE(Math.round(4000 * Math.sin((2 * Math.PI * 300 * i) / 16000)), 2 * i);
    writeFileSync(pcm, tone);
    const { seconds, error } = await outcome({ recorder: sh('wrapper-stalls.sh', pidFile, pcm), startTimeoutMs: 1000 });
    expect(error?.code).toBe('NO_DATA');
    expect(error?.message).toMatch(/stopped writing audio for 1000 ms/);
    expect(seconds).toBeCloseTo(1, 2);
    expect(dead(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });
});

describe('the WAV-header check on what the recorder writes', () => {
  it('sees a header split over two writes', async () => {
    const { error } = await outcome({ recorder: node('split-header.mjs') });
    expect(error?.code).toBe('NOT_AUDIO');
    expect(error?.message).toMatch(/WAV header/);
  });
});
