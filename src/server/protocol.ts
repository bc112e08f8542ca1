import { isModeName, MODE_NAMES, type ModeName } from '../attention/index.ts';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../audio/validate.ts';
import type { StreamEvent } from '../streaming/events.ts';

/**
 * The WebSocket protocol between the page and the server (one stream per connection).
 *
 * client -> server
 *   text   {"type":"start","sampleRate":48000,"format":"s16"|"f32","mode"?:"local"|"global"}
 *   binary mono PCM at that rate, little-endian Int16 ("s16") or Float32 ("f32")
 *   text   {"type":"stop"}: the audio has ended; the server finalises and answers "done"
 * server -> client
 *   {"type":"ready", ...}   after start: what the server will do
 *   partial / final / error events (src/streaming/events.ts), as JSON
 *   {"type":"done"}         after stop, once the last final has been sent; a new start may follow
 *   {"type":"error","code":...,"message":...} for a bad message: the message is dropped and the
 *     connection stays open, except for the codes in CLOSING_CODES
 */
export const PCM_FORMATS = ['s16', 'f32'] as const;
export type PcmFormat = (typeof PCM_FORMATS)[number];
export const BYTES_PER_SAMPLE: Record<PcmFormat, number> = { s16: 2, f32: 4 };

export interface StartMessage {
  readonly type: 'start';
  readonly sampleRate: number;
  readonly format: PcmFormat;
  readonly mode?: ModeName;
}
export interface StopMessage {
  readonly type: 'stop';
}
export type ClientMessage = StartMessage | StopMessage;

export type ProtocolErrorCode =
  | 'BAD_MESSAGE' // a text frame that is not a valid control message
  | 'BAD_FRAME' // a binary frame that is not whole samples of finite PCM
  | 'NOT_STARTED' // audio or stop before start
  | 'ALREADY_STARTED' // start while a stream runs
  | 'TOO_MANY_STREAMS' // the server is at its limit (closes)
  | 'IDLE_TIMEOUT' // nothing received for too long (closes)
  | 'OVERLOADED' // audio arrives faster than it can be recognised (closes)
  | 'INTERNAL'; // a bug on the server's side (closes with 1011)

export const CLOSING_CODES: ReadonlySet<ProtocolErrorCode> = new Set(['TOO_MANY_STREAMS', 'IDLE_TIMEOUT', 'OVERLOADED', 'INTERNAL']);

/** WebSocket close codes the server uses (1009, message too big, is sent by ws itself). */
export const CLOSE = { normal: 1000, tryAgainLater: 1013, idle: 4000 } as const;

export interface ReadyMessage {
  readonly type: 'ready';
  readonly model: string;
  readonly mode: ModeName;
  readonly sampleRate: number; // the rate the server resamples to
  readonly frameSeconds: number; // one encoder frame
  readonly left: number;
  readonly right: number;
}
export interface DoneMessage {
  readonly type: 'done';
}
export interface ProtocolError {
  readonly type: 'error';
  readonly code: ProtocolErrorCode;
  readonly message: string;
}
export type ServerMessage = ReadyMessage | DoneMessage | ProtocolError | StreamEvent;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ProtocolError };
const bad = (code: ProtocolErrorCode, message: string): Parsed<never> => ({ ok: false, error: { type: 'error', code, message } });

const MAX_TEXT_LENGTH = 1024; // control messages are tiny
/**
 * Float samples are nominally within +-1. Far beyond that is not audio, and near the float32
 * limit the resampler would overflow to Inf, so such a frame is refused before it reaches it.
 */
export const MAX_F32_MAGNITUDE = 1e6;

/** Parses a text frame; never throws. */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  if (text.length > MAX_TEXT_LENGTH) return bad('BAD_MESSAGE', `control message of ${text.length} characters; at most ${MAX_TEXT_LENGTH}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad('BAD_MESSAGE', 'control message is not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return bad('BAD_MESSAGE', 'control message must be a JSON object');
  const m = json as Record<string, unknown>;
  if (m.type === 'stop') return { ok: true, value: { type: 'stop' } };
  if (m.type !== 'start') return bad('BAD_MESSAGE', `unknown message type ${JSON.stringify(m.type)} (expected "start" or "stop")`);
  const { sampleRate, format, mode } = m;
  if (!(typeof sampleRate === 'number' && Number.isInteger(sampleRate) && sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE))
    return bad('BAD_MESSAGE', `start.sampleRate must be an integer in ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE}, got ${JSON.stringify(sampleRate)}`);
  if (!(PCM_FORMATS as readonly unknown[]).includes(format)) return bad('BAD_MESSAGE', `start.format must be one of ${PCM_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  if (mode !== undefined && !isModeName(mode)) return bad('BAD_MESSAGE', `start.mode must be one of ${MODE_NAMES.join(', ')}, got ${JSON.stringify(mode)}`);
  return { ok: true, value: { type: 'start', sampleRate, format: format as PcmFormat, ...(mode !== undefined ? { mode } : {}) } };
}

/** Decodes a binary frame to float samples; never throws. */
export function decodePcmFrame(bytes: Uint8Array, format: PcmFormat): Parsed<Float32Array> {
  const size = BYTES_PER_SAMPLE[format];
  if (bytes.length === 0) return bad('BAD_FRAME', 'empty audio frame');
  if (bytes.length % size !== 0) return bad('BAD_FRAME', `audio frame of ${bytes.length} bytes is not a whole number of ${size}-byte ${format} samples`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(bytes.length / size);
  if (format === 's16') {
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(2 * i, true) / 32768;
  } else {
    for (let i = 0; i < samples.length; i++) {
      const x = view.getFloat32(4 * i, true);
      if (!Number.isFinite(x)) return bad('BAD_FRAME', `sample ${i} of the frame is ${x}`);
      if (Math.abs(x) > MAX_F32_MAGNITUDE) return bad('BAD_FRAME', `sample ${i} of the frame is ${x}, beyond +-${MAX_F32_MAGNITUDE} (float audio is nominally within +-1)`);
      samples[i] = x;
    }
  }
  return { ok: true, value: samples };
}
