import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMicrophone, validateMicrophoneOptions, type MicrophoneOptions } from '../../src/audio/microphone.ts';
import { findRecorder, recorderCommand, type RecorderCommand } from '../../src/audio/recorders.ts';
import { ConfigError, MicrophoneError } from '../../src/errors.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { microphone } from '../../src/rx/microphone.ts';
import { streamingRecognize } from '../../src/rx/streamingRecognize.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { listenForLifeline } from '../audio/lifeline.ts';
import { SAMPLES, TINY } from './helpers.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const node = (script: string, ...args: string[]): RecorderCommand => ({ name: script, command: process.execPath, args: [join(FIXTURES, script), ...args] });
const sh = (script: string): RecorderCommand => ({ name: script, command: 'sh', args: [join(FIXTURES, script)] });
const WAV = join(SAMPLES, 'flite-kal-sentence.wav');

async function failure(options: MicrophoneOptions): Promise<MicrophoneError> {
  try {
    for await (const _ of recordMicrophone(options));
  } catch (error) {
    expect(error).toBeInstanceOf(MicrophoneError);
    return error as MicrophoneError;
  }
  throw new Error('expected the recording to fail');
}

describe('microphone recorder process', () => {
  it('records a well-behaved recorder to the end as 16 kHz mono chunks', async () => {
    const chunks = await lastValueFrom(microphone({ recorder: node('play-wav.mjs', WAV) }).pipe(toArray()));
    const total = chunks.reduce((n, c) => n + c.samples.length, 0);
    expect(chunks.every((c) => c.sampleRate === 16000)).toBe(true);
    expect(total).toBe((readFileSync(WAV).length - 44) / 2);
  });

  it('no recorder on PATH is NO_RECORDER, naming what to install', () => {
    const saved = process.env.PATH;
    process.env.PATH = '';
    try {
      expect(findRecorder()).toBeUndefined();
      expect(() => validateMicrophoneOptions()).toThrow(expect.objectContaining({ code: 'NO_RECORDER', message: expect.stringMatching(/arecord, sox, ffmpeg/) }));
    } finally {
      process.env.PATH = saved;
    }
  });

  it('a recorder command that does not exist is NO_RECORDER', async () => {
    const error = await failure({ recorder: { name: 'x', command: 'no-such-recorder-4711', args: [] } });
    expect(error.code).toBe('NO_RECORDER');
    expect(error.message).toMatch(/no-such-recorder-4711/);
  });

  it('a device that fails to open is DEVICE_FAILED with the recorder\'s stderr', async () => {
    const error = await failure({ recorder: sh('never-starts.sh'), input: 'mic' });
    expect(error.code).toBe('DEVICE_FAILED');
    expect(error.message).toMatch(/exited with code 1 before recording anything/);
    expect(error.message).toMatch(/audio open error: No such file or directory/);
    expect(error.input).toBe('mic (never-starts.sh)');
  });

  it('a recorder dying mid-stream is RECORDER_DIED, after the audio it gave', async () => {
    const received: number[] = [];
    let error: unknown;
    try {
      for await (const chunk of recordMicrophone({ recorder: node('dies-midstream.mjs', '0.5') })) received.push(chunk.samples.length);
    } catch (e) {
      error = e;
    }
    expect(received.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(error).toMatchObject({ code: 'RECORDER_DIED', message: expect.stringMatching(/after 0\.50 s of audio: arecord: pcm_read:2221: read error: No such device/) });
  });

  it('a recorder writing text instead of PCM is NOT_AUDIO', async () => {
    const error = await failure({ recorder: node('garbage.mjs') });
    expect(error.code).toBe('NOT_AUDIO');
    expect(error.message).toMatch(/DC offset/);
  });

  it('a recorder writing a WAV header is NOT_AUDIO', async () => {
    const error = await failure({ recorder: { name: 'cat', command: 'cat', args: [WAV] } });
    expect(error.code).toBe('NOT_AUDIO');
    expect(error.message).toMatch(/WAV header/);
  });

  it('a recorder that writes nothing is NO_DATA after the start timeout', async () => {
    const error = await failure({ recorder: sh('silent.sh'), startTimeoutMs: 300 });
    expect(error.code).toBe('NO_DATA');
  });

  it('unsubscribing kills the recorder', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'las-mic-'));
    const lifeline = await listenForLifeline(scratch);
    try {
      // It writes one second and hangs, deaf to its stdout closing: only the kill can end it.
      const recorder = { name: 'hang', command: process.execPath, args: [resolve(import.meta.dirname, '../audio/fixtures/flood.mjs'), 'hang'], env: lifeline.env };
      let ended = false;
      void lifeline.ended.then(() => (ended = true));
      await firstValueFrom(microphone({ recorder }).pipe(take(2)));
      await lifeline.connected;
      expect(ended).toBe(false); // alive while recording
      await lifeline.ended; // the recorder's process ended: its end of the lifeline closed
    } finally {
      lifeline.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('builds each recorder\'s command line with rate, channels and device', () => {
    const format = { sampleRate: 16000, channels: 1, device: 'hw:1,0' };
    expect(recorderCommand('arecord', format).args).toEqual(['-q', '-t', 'raw', '-f', 'S16_LE', '-c', '1', '-r', '16000', '-D', 'hw:1,0', '-']);
    expect(recorderCommand('sox', format)).toMatchObject({ command: 'sox', env: { AUDIODEV: 'hw:1,0' } });
    expect(recorderCommand('ffmpeg', format).args).toEqual(expect.arrayContaining(['-f', 'alsa', '-i', 'hw:1,0', '-ar', '16000', '-f', 's16le']));
    expect(() => validateMicrophoneOptions({ recorder: 'audacity' as never })).toThrow(ConfigError);
    expect(() => validateMicrophoneOptions({ recorder: 'arecord', device: '--evil' })).toThrow(/device/);
  });
});

describe('recognising the microphone', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(TINY);
  });
  afterAll(() => model?.dispose());

  it('when the recorder dies mid-stream, the text so far is kept in a final event, then the error', async () => {
    const events = await lastValueFrom(microphone({ recorder: node('dies-midstream.mjs', '1.5') }).pipe(streamingRecognize(model, { mode: 'local' }), toArray()));
    const [final, error] = events.slice(-2);
    expect(final).toMatchObject({ type: 'final', reason: 'error', error: { code: 'RECORDER_DIED' } });
    expect(error).toMatchObject({ type: 'error', code: 'RECORDER_DIED', message: expect.stringMatching(/No such device/) });
    expect((final as { text: string }).text.length).toBeGreaterThan(0);
    expect(final.audioTime).toBeCloseTo(1.5, 6);
  });

  it('a device that never opens gives an empty final and the error event', async () => {
    const events = await lastValueFrom(microphone({ recorder: sh('never-starts.sh') }).pipe(streamingRecognize(model), toArray()));
    expect(events).toMatchObject([
      { type: 'final', text: '', reason: 'error' },
      { type: 'error', code: 'DEVICE_FAILED' },
    ]);
  });
});
