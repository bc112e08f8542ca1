import { spawn } from 'node:child_process';
import { ConfigError, MicrophoneError } from '../errors.ts';
import { SAMPLE_RATE } from './constants.ts';
import { pcmS16leChunks } from './pcm.ts';
import { findRecorder, isRecorderName, RECORDER_NAMES, recorderCommand, type RecorderCommand, type RecorderName } from './recorders.ts';
import type { Audio } from './types.ts';
import { assertChannels, assertSampleRate } from './validate.ts';

export interface MicrophoneOptions {
  /** A recorder by name, or any command writing s16le PCM to stdout. Default: the first of arecord, sox, ffmpeg on PATH. */
  readonly recorder?: RecorderName | RecorderCommand;
  /** Capture device (ALSA name such as "hw:1,0" or "default"). Default: the system's. */
  readonly device?: string;
  /** Rate and channels asked of the recorder, and so of its output. Defaults 16000 and 1. */
  readonly sampleRate?: number;
  readonly channels?: number;
  /** Output rate of the chunks. Default 16000. */
  readonly targetRate?: number;
  /**
   * The recorder must write audio within this many ms of starting, and never pause for longer
   * (a live recorder writes continuously); otherwise the recording ends with NO_DATA. Default 5000.
   */
  readonly startTimeoutMs?: number;
  /** Names the source in errors. Default "<microphone>". */
  readonly input?: string;
}

interface ResolvedOptions {
  readonly recorder: RecorderCommand;
  readonly sampleRate: number;
  readonly channels: number;
  readonly targetRate: number;
  readonly startTimeoutMs: number;
  readonly input: string;
}

/** Fills defaults; throws ConfigError for bad values and MicrophoneError NO_RECORDER when none is installed. */
export function validateMicrophoneOptions(options: MicrophoneOptions = {}): ResolvedOptions {
  const input = options.input ?? '<microphone>';
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  const channels = options.channels ?? 1;
  const targetRate = options.targetRate ?? SAMPLE_RATE;
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  assertSampleRate(sampleRate, input);
  assertChannels(channels, input);
  assertSampleRate(targetRate, input);
  if (!(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) throw new ConfigError(`startTimeoutMs must be a positive number, got ${String(startTimeoutMs)}`, input);
  if (options.device !== undefined && !(typeof options.device === 'string' && options.device.length > 0 && !options.device.startsWith('-')))
    throw new ConfigError(`device must be a non-empty name not starting with "-", got ${JSON.stringify(options.device)}`, input);
  const chosen = options.recorder ?? findRecorder();
  if (chosen === undefined) throw new MicrophoneError('NO_RECORDER', `no recorder found on PATH (install one of: ${RECORDER_NAMES.join(', ')}; Debian: apt-get install alsa-utils)`, input);
  let recorder: RecorderCommand;
  if (typeof chosen === 'string') {
    if (!isRecorderName(chosen)) throw new ConfigError(`unknown recorder "${chosen}" (valid: ${RECORDER_NAMES.join(', ')})`, input);
    recorder = recorderCommand(chosen, { sampleRate, channels, device: options.device });
  } else if (chosen !== null && typeof chosen === 'object' && typeof chosen.command === 'string' && Array.isArray(chosen.args)) recorder = chosen;
  else throw new ConfigError('recorder must be a recorder name or { name, command, args }', input);
  return { recorder, sampleRate, channels, targetRate, startTimeoutMs, input };
}

const STDERR_KEEP = 4000; // characters of the recorder's stderr kept for the error message
const KILL_GRACE_MS = 2000;

/**
 * Records the microphone through a recorder process: mono chunks at `targetRate`, as they
 * arrive. Aborting `signal` stops the recorder and ends the generator without an error. The
 * recorder's failures become MicrophoneErrors that quote its stderr: see MicrophoneErrorCode.
 */
export async function* recordMicrophone(options: MicrophoneOptions = {}, signal?: AbortSignal): AsyncGenerator<Audio, void, undefined> {
  const o = validateMicrophoneOptions(options);
  const { recorder, input } = o;
  const label = `${input} (${recorder.name})`;
  if (signal?.aborted) return;
  // Its own process group: Ctrl+C in a terminal reaches only us, and we stop the recorder
  // ourselves, so the end of a recording is never mistaken for a recorder dying. Signals go to
  // the whole group: a wrapper script's own children (which hold the pipe open) stop with it.
  const child = spawn(recorder.command, [...recorder.args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...recorder.env }, detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEEP);
  });
  let spawnError: NodeJS.ErrnoException | undefined;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, sig) => resolve({ code, signal: sig }));
  });
  let stopping: 'aborted' | 'no-data' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig); // the group is gone already; the leader may still be a zombie
    }
  };
  let groupAlive = true;
  const stop = (why: 'aborted' | 'no-data') => {
    stopping ??= why;
    // Even once the leader has exited, its children may live on in the group.
    if (groupAlive) {
      signalGroup('SIGTERM');
      killTimer ??= setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }
  };
  const onAbort = () => stop('aborted');
  signal?.addEventListener('abort', onAbort, { once: true });
  let dataTimer = setTimeout(() => stop('no-data'), o.startTimeoutMs).unref();
  let received = 0;

  async function* bytes(): AsyncGenerator<Uint8Array> {
    // The first four bytes decide whether this is a WAV header, however the writes split them.
    let head: Buffer | undefined = Buffer.alloc(0);
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      clearTimeout(dataTimer);
      dataTimer = setTimeout(() => stop('no-data'), o.startTimeoutMs).unref();
      received += chunk.length;
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 4) continue;
        if (head.toString('latin1', 0, 4) === 'RIFF') throw new MicrophoneError('NOT_AUDIO', 'the recorder wrote a WAV header; it must write raw s16le PCM', label);
        const first = head;
        head = undefined;
        yield first;
        continue;
      }
      yield chunk;
    }
    if (head !== undefined && head.length > 0) yield head;
  }

  try {
    const check = createSignalCheck(o.targetRate, label);
    for await (const audio of pcmS16leChunks(bytes(), { sampleRate: o.sampleRate, channels: o.channels, input: label, targetRate: o.targetRate })) {
      check.push(audio.samples);
      yield audio;
    }
    const exit = await closed;
    if (stopping === 'aborted') return;
    const said = stderr.trim() === '' ? '' : `: ${stderr.trim()}`;
    if (spawnError !== undefined) {
      if (spawnError.code === 'ENOENT') throw new MicrophoneError('NO_RECORDER', `recorder "${recorder.command}" is not installed or not on PATH`, label, { cause: spawnError });
      throw new MicrophoneError('DEVICE_FAILED', `cannot start "${recorder.command}": ${spawnError.message}`, label, { cause: spawnError });
    }
    if (stopping === 'no-data')
      throw new MicrophoneError('NO_DATA', received === 0 ? `the recorder wrote no audio in ${o.startTimeoutMs} ms${said}` : `the recorder stopped writing audio for ${o.startTimeoutMs} ms${said}`, label);
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    if (received === 0) throw new MicrophoneError('DEVICE_FAILED', `the recorder ${how} before recording anything (does the device exist and is it free?)${said}`, label);
    if (exit.code !== 0) throw new MicrophoneError('RECORDER_DIED', `the recorder ${how} after ${(received / (2 * o.channels * o.sampleRate)).toFixed(2)} s of audio${said}`, label);
    check.end();
  } finally {
    clearTimeout(dataTimer);
    signal?.removeEventListener('abort', onAbort);
    stop('aborted'); // whatever is left of the group
    await closed;
    groupAlive = false;
    clearTimeout(killTimer);
  }
}

/**
 * Sanity check of what the recorder writes: a microphone never gives a second of audio with a
 * large DC offset (text or a wrong sample format read as PCM) or at full-scale noise power
 * (random bytes, a wrong byte order). Thresholds are far outside anything a microphone records.
 */
const MAX_DC = 0.25;
const MAX_RMS = 0.5; // -6 dBFS sustained for a whole second
const WINDOW_SECONDS = 1;

function createSignalCheck(sampleRate: number, input: string): { push(samples: Float32Array): void; end(): void } {
  const windowLength = Math.round(sampleRate * WINDOW_SECONDS);
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  const verdict = () => {
    const mean = sum / count;
    const rms = Math.sqrt(sumSquares / count);
    if (Math.abs(mean) > MAX_DC || rms > MAX_RMS)
      throw new MicrophoneError('NOT_AUDIO', `the recorder output does not look like audio (DC offset ${mean.toFixed(2)}, RMS ${rms.toFixed(2)} of full scale over ${(count / sampleRate).toFixed(2)} s): is it writing text, or a different sample format?`, input);
    sum = sumSquares = count = 0;
  };
  return {
    push(samples) {
      for (let i = 0; i < samples.length; i++) {
        sum += samples[i];
        sumSquares += samples[i] * samples[i];
        if (++count === windowLength) verdict();
      }
    },
    end() {
      if (count >= windowLength / 10) verdict();
    },
  };
}
