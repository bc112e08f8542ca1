import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../packageRoot.ts';
import type { Audio } from '../audio/types.ts';
import { ConfigError } from '../errors.ts';
import { stripUndefined } from '../util/stripUndefined.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { validateStreamingOptions, type StreamingOptionsInput } from '../streaming/options.ts';

/** What one finished connection saw, for tests and logging (only collected when onStreamEnd is set). */
export interface StreamRecord {
  /** Everything the stream received, resampled to the model's rate. */
  readonly audio: Audio;
  /** Every event sent to the client. */
  readonly events: readonly StreamEvent[];
}

/** `las serve`'s settings. One read-only object; defaults in DEFAULT_SERVER_OPTIONS. */
export interface ServerOptions {
  /** Interface to listen on. Default 127.0.0.1: other machines cannot connect unless asked for. */
  readonly host: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  readonly port: number;
  /** The page's files. Default: the package's web/ folder. */
  readonly webRoot: string;
  /** Streams (WebSocket connections) at once; one more is told TOO_MANY_STREAMS and closed. Default 4. */
  readonly maxStreams: number;
  /** Largest WebSocket message; a larger one closes the connection with 1009. Default 256 KiB (over 1 s of 48 kHz Float32). */
  readonly maxMessageBytes: number;
  /** A connection that sends nothing for this long is closed. Default 30 s. */
  readonly idleTimeoutMs: number;
  /**
   * A TCP connection must complete its HTTP request headers (page, info or WebSocket upgrade)
   * within this time, or it is dropped: connections that never send a byte cost nothing to open
   * and would otherwise be held for ever. Default 10 s.
   */
  readonly handshakeTimeoutMs: number;
  /**
   * Host names, besides IP literals of the listening address and `localhost` on loopback, that a
   * request's Host header may carry (DNS rebinding defence, src/server/hostCheck.ts). Default none.
   */
  readonly allowedHosts: readonly string[];
  /** Audio waiting to be recognised beyond this many seconds closes the stream as OVERLOADED. Default 10. */
  readonly maxQueuedSeconds: number;
  /** Recognition settings for every stream; a start message may choose the mode. */
  readonly recognition: StreamingOptionsInput;
  readonly onStreamEnd?: (record: StreamRecord) => void;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  webRoot: resolve(PACKAGE_ROOT, 'web'),
  maxStreams: 4,
  maxMessageBytes: 256 * 1024,
  idleTimeoutMs: 30_000,
  handshakeTimeoutMs: 10_000,
  allowedHosts: Object.freeze([]),
  maxQueuedSeconds: 10,
  recognition: Object.freeze({}),
});

export function validateServerOptions(options: Partial<ServerOptions> = {}): ServerOptions {
  const o: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...stripUndefined(options) };
  const bad = (name: string, message: string): never => {
    throw new ConfigError(message, name);
  };
  if (typeof o.host !== 'string' || o.host.length === 0) bad('host', `host must be a non-empty string, got ${JSON.stringify(o.host)}`);
  if (!(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) bad('port', `port must be an integer in 0..65535, got ${String(o.port)}`);
  if (!(Number.isInteger(o.maxStreams) && o.maxStreams >= 1 && o.maxStreams <= 1000)) bad('maxStreams', `maxStreams must be an integer in 1..1000, got ${String(o.maxStreams)}`);
  if (!(Number.isInteger(o.maxMessageBytes) && o.maxMessageBytes >= 1024 && o.maxMessageBytes <= 64 << 20))
    bad('maxMessageBytes', `maxMessageBytes must be an integer in 1024..${64 << 20}, got ${String(o.maxMessageBytes)}`);
  if (!(Number.isFinite(o.idleTimeoutMs) && o.idleTimeoutMs > 0)) bad('idleTimeoutMs', `idleTimeoutMs must be a positive number, got ${String(o.idleTimeoutMs)}`);
  if (!(Number.isFinite(o.handshakeTimeoutMs) && o.handshakeTimeoutMs > 0)) bad('handshakeTimeoutMs', `handshakeTimeoutMs must be a positive number, got ${String(o.handshakeTimeoutMs)}`);
  if (!(Array.isArray(o.allowedHosts) && o.allowedHosts.every((h) => typeof h === 'string' && /^[A-Za-z0-9.-]{1,253}$/.test(h))))
    bad('allowedHosts', `allowedHosts must be a list of host names, got ${JSON.stringify(o.allowedHosts)}`);
  if (!(Number.isFinite(o.maxQueuedSeconds) && o.maxQueuedSeconds > 0)) bad('maxQueuedSeconds', `maxQueuedSeconds must be a positive number, got ${String(o.maxQueuedSeconds)}`);
  validateStreamingOptions(o.recognition);
  if (o.onStreamEnd !== undefined && typeof o.onStreamEnd !== 'function') bad('onStreamEnd', 'onStreamEnd must be a function');
  return Object.freeze(o);
}
