import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SAMPLE_RATE } from './constants.ts';

/**
 * The command-line recorders that can capture the microphone as raw s16le PCM on stdout, in
 * order of preference. Each builds its own argument list; the recorder converts to the
 * requested rate and channel count itself.
 */
export const RECORDER_NAMES = ['arecord', 'sox', 'ffmpeg'] as const;
export type RecorderName = (typeof RECORDER_NAMES)[number];

/** A recorder process to spawn: a known one, or (tests, odd set-ups) any command that writes s16le PCM to stdout. */
export interface RecorderCommand {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface CaptureFormat {
  readonly sampleRate: number;
  readonly channels: number;
  /** Capture device; undefined: the system default. */
  readonly device: string | undefined;
}

type Builder = (f: CaptureFormat) => Omit<RecorderCommand, 'name'>;

const BUILDERS = {
  // ALSA's own tool (alsa-utils). -t raw: no WAV header on stdout.
  arecord: (f) => ({
    command: 'arecord',
    args: ['-q', '-t', 'raw', '-f', 'S16_LE', '-c', String(f.channels), '-r', String(f.sampleRate), ...(f.device !== undefined ? ['-D', f.device] : []), '-'],
  }),
  // sox's -d is the default device of its default driver; AUDIODEV picks another one.
  sox: (f) => ({
    command: 'sox',
    args: ['-q', '-d', '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-c', String(f.channels), '-r', String(f.sampleRate), '-'],
    ...(f.device !== undefined ? { env: { AUDIODEV: f.device } } : {}),
  }),
  // ffmpeg through ALSA; "default" is ALSA's default PCM.
  ffmpeg: (f) => ({
    command: 'ffmpeg',
    args: ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'alsa', '-i', f.device ?? 'default', '-ac', String(f.channels), '-ar', String(f.sampleRate), '-f', 's16le', '-'],
  }),
} satisfies Record<RecorderName, Builder>;

export function isRecorderName(name: unknown): name is RecorderName {
  return typeof name === 'string' && (RECORDER_NAMES as readonly string[]).includes(name);
}

export function recorderCommand(name: RecorderName, format: CaptureFormat): RecorderCommand {
  return { name, ...BUILDERS[name](format) };
}

/** The full path of `command` on PATH, or undefined. */
export function findOnPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The first installed recorder in order of preference, or undefined. */
export function findRecorder(path?: string): RecorderName | undefined {
  return RECORDER_NAMES.find((name) => findOnPath(BUILDERS[name]({ sampleRate: SAMPLE_RATE, channels: 1, device: undefined }).command, path) !== undefined);
}
