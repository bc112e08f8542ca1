/**
 * Typed errors. Every error the toolkit raises on bad input is a LasError with a stable
 * machine-readable `code` and the `input` it concerns (a file path, "<stdin>", a model dir...),
 * so a batch can report the failing item by name and carry on with the others.
 */
export class LasError extends Error {
  readonly code: string;
  readonly input: string | undefined;
  constructor(code: string, message: string, input?: string, options?: { cause?: unknown }) {
    super(input !== undefined ? `${input}: ${message}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.input = input;
  }
}

export type AudioErrorCode =
  | 'EMPTY' // zero-byte input
  | 'NOT_WAV' // no RIFF/WAVE signature
  | 'TRUNCATED_HEADER' // a chunk header or the fmt chunk is cut short
  | 'MALFORMED_HEADER' // the chunks contradict each other (a second fmt or data chunk)
  | 'TRUNCATED_DATA' // the data chunk holds fewer bytes than it declares, or none
  | 'UNSUPPORTED_ENCODING' // ADPCM, MP3-in-WAV, odd bit depths...
  | 'BAD_CHANNELS' // zero (or absurd) channel count
  | 'BAD_SAMPLE_RATE' // zero or absurd sample rate
  | 'NON_FINITE' // NaN or Inf samples
  | 'TOO_SHORT' // shorter than one analysis frame
  | 'SILENT' // digital silence where speech was expected
  | 'TOO_LONG' // longer than the configured maximum input duration
  | 'READ_FAILED'; // the file could not be read at all

/** Raised for audio that cannot be decoded or must not be used. */
export class AudioError extends LasError {
  declare readonly code: AudioErrorCode;
  constructor(code: AudioErrorCode, message: string, input?: string, options?: { cause?: unknown }) {
    super(code, message, input, options);
  }
}

/** Raised for invalid options or configuration (front end, decoding, CLI flags). */
export class ConfigError extends LasError {
  constructor(message: string, input?: string) {
    super('BAD_CONFIG', message, input);
  }
}

/** Raised for a missing, corrupt or mismatched model bundle. */
export class ModelError extends LasError {
  constructor(code: 'MODEL_MISSING' | 'MODEL_CORRUPT' | 'MODEL_MISMATCH' | 'NON_FINITE_OUTPUT', message: string, input?: string, options?: { cause?: unknown }) {
    super(code, message, input, options);
  }
}

export type QueueErrorCode =
  | 'BAD_JOB' // a job's payload is not a valid transcription job
  | 'PATH_OUTSIDE_ROOTS' // a job names a file outside the worker's input roots
  | 'INPUT_CHANGED' // the file's content no longer has the hash it was queued under
  | 'PAYLOAD_TOO_LARGE' // bytes over the limit of a bytes job
  | 'BAD_REDIS_URL' // not a redis:// or rediss:// URL
  | 'REDIS_UNREACHABLE' // no answer from Redis
  | 'REDIS_AUTH' // Redis refused the password
  | 'WORKER_ERROR'; // anything else a job failed with (retried: it may be transient)

/** Raised by the job queue (src/queue) for a bad job, a refused path or an unusable Redis. */
export class QueueError extends LasError {
  declare readonly code: QueueErrorCode;
  constructor(code: QueueErrorCode, message: string, input?: string, options?: { cause?: unknown }) {
    super(code, message, input, options);
  }
}

export type MicrophoneErrorCode =
  | 'NO_RECORDER' // no recorder installed, or the chosen one is missing
  | 'DEVICE_FAILED' // the recorder stopped before any audio: the device did not open
  | 'RECORDER_DIED' // the recorder stopped mid-stream
  | 'NO_DATA' // the recorder runs but writes no audio
  | 'NOT_AUDIO'; // the recorder writes something that is not raw PCM

/** Raised when the microphone cannot be recorded; `message` carries the recorder's own stderr. */
export class MicrophoneError extends LasError {
  declare readonly code: MicrophoneErrorCode;
  constructor(code: MicrophoneErrorCode, message: string, input?: string, options?: { cause?: unknown }) {
    super(code, message, input, options);
  }
}

/**
 * A live stream's failure (src/streaming/pushRecognizer.ts), as a typed error: the code,
 * message and input of its error event. The message loses the input prefix the event's
 * message already carries, since LasError adds it again.
 */
export class StreamFailedError extends LasError {
  constructor(event: { readonly code: string; readonly message: string; readonly input?: string }) {
    const prefix = event.input !== undefined ? `${event.input}: ` : '';
    super(event.code, prefix !== '' && event.message.startsWith(prefix) ? event.message.slice(prefix.length) : event.message, event.input);
  }
}

/** A line of a transcript table (manifest, refs.tsv) that does not fit, by file and line. */
export class ManifestError extends LasError {
  readonly line: number;
  constructor(message: string, input: string, line: number) {
    super('BAD_MANIFEST', `line ${line}: ${message}`, input);
    this.line = line;
  }
}
