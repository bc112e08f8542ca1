import type { WebSocket } from 'ws';
import { createResampler, type Resampler } from '../audio/resample.ts';
import { concatSamples } from '../util/float32.ts';
import { LasError } from '../errors.ts';
import type { LoadedModel } from '../model/index.ts';
import type { StreamEvent } from '../streaming/events.ts';
import { createStreamingRecognizer, type StreamingRecognizer } from '../streaming/recognizer.ts';
import type { Mutex } from './mutex.ts';
import type { ServerOptions } from './options.ts';
import { CLOSE, CLOSING_CODES, decodePcmFrame, parseClientMessage, type PcmFormat, type ProtocolErrorCode, type ServerMessage, type StartMessage } from './protocol.ts';

export interface ConnectionContext {
  readonly model: LoadedModel;
  /** Serialises inference across connections (the model is shared). */
  readonly mutex: Mutex;
  readonly options: ServerOptions;
  /** Unexpected failures (bugs), for the server's log. */
  readonly log: (message: string) => void;
}

interface Stream {
  readonly recognizer: StreamingRecognizer;
  readonly resampler: Resampler;
  readonly format: PcmFormat;
  readonly sampleRate: number;
  queuedSeconds: number;
  readonly kept: { audio: Float32Array[]; events: StreamEvent[] } | undefined;
}

/**
 * One WebSocket connection: its own recognizer, resampler and queue; the model is shared.
 * Work is chained on one promise per connection so chunks are recognised in order, and every
 * failure is caught here: a bad message gets an error message, a bug closes this connection
 * (1011), and nothing a client sends can take the server down. Once the connection has closed,
 * its queued chunks are dropped unrecognised; only the one already running finishes.
 */
export interface ConnectionHandle {
  /** Closes the connection now: nothing more is received, sent or recognised. */
  close(code: number, reason: string): void;
  /** Resolves when no work of this connection is queued or running (after it closed, for good). */
  drained(): Promise<void>;
}

export function handleConnection(ws: WebSocket, ctx: ConnectionContext): ConnectionHandle {
  const { model, mutex, options } = ctx;
  const rate = model.config.frontEnd.sampleRate;
  let stream: Stream | undefined;
  let work: Promise<void> = Promise.resolve();
  let open = true;

  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const sendEvents = (s: Stream, events: readonly StreamEvent[]) => {
    s.kept?.events.push(...events);
    for (const e of events) send(e);
  };
  const protocolError = (code: ProtocolErrorCode, message: string) => {
    send({ type: 'error', code, message });
    if (CLOSING_CODES.has(code)) close(code === 'IDLE_TIMEOUT' ? CLOSE.idle : CLOSE.tryAgainLater, code);
  };
  const close = (code: number, reason: string) => {
    if (open) ws.close(code, reason);
    open = false;
  };
  /** Runs `task` after the work queued before it; a bug ends only this connection. */
  const enqueue = (task: () => Promise<void>) => {
    work = work.then(() => (open ? task() : undefined)).catch((error: unknown) => {
      ctx.log(`stream failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      send({ type: 'error', code: 'INTERNAL', message: 'internal error' });
      close(1011, 'INTERNAL');
    });
  };

  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => protocolError('IDLE_TIMEOUT', `nothing received for ${options.idleTimeoutMs / 1000} s`), options.idleTimeoutMs);
  };
  touch();

  const start = (m: StartMessage) => {
    if (stream !== undefined) return protocolError('ALREADY_STARTED', 'a stream is running; send stop first');
    let recognizer: StreamingRecognizer;
    try {
      recognizer = createStreamingRecognizer(model, { ...options.recognition, ...(m.mode !== undefined ? { mode: m.mode } : {}), input: '<websocket>' });
    } catch (error) {
      if (error instanceof LasError) return protocolError('BAD_MESSAGE', error.message);
      throw error;
    }
    const s: Stream = {
      recognizer,
      resampler: createResampler(m.sampleRate, rate),
      format: m.format,
      sampleRate: m.sampleRate,
      queuedSeconds: 0,
      kept: options.onStreamEnd !== undefined ? { audio: [], events: [] } : undefined,
    };
    stream = s;
    const o = recognizer.options;
    const attention = model.config.attention;
    send({ type: 'ready', model: model.card.name, mode: o.mode, sampleRate: rate, frameSeconds: model.facts.frameSeconds, left: o.left ?? attention.left, right: o.right ?? attention.right });
  };

  const audio = (bytes: Uint8Array) => {
    const s = stream;
    if (s === undefined) return protocolError('NOT_STARTED', 'send a start message before audio');
    const frame = decodePcmFrame(bytes, s.format);
    if (!frame.ok) return send(frame.error);
    const seconds = frame.value.length / s.sampleRate;
    s.queuedSeconds += seconds;
    if (s.queuedSeconds > options.maxQueuedSeconds) return protocolError('OVERLOADED', `more than ${options.maxQueuedSeconds} s of audio waiting to be recognised`);
    enqueue(async () => {
      const samples = s.resampler.push(frame.value);
      s.kept?.audio.push(samples);
      const events = await mutex.run(() => s.recognizer.push({ samples, sampleRate: rate }));
      s.queuedSeconds -= seconds;
      sendEvents(s, events);
    });
  };

  const stop = () => {
    const s = stream;
    if (s === undefined) return protocolError('NOT_STARTED', 'no stream to stop');
    stream = undefined;
    enqueue(async () => {
      const tail = s.resampler.flush();
      s.kept?.audio.push(tail);
      const events = await mutex.run(async () => [...(await s.recognizer.push({ samples: tail, sampleRate: rate })), ...(await s.recognizer.finish())]);
      sendEvents(s, events);
      send({ type: 'done' });
      if (s.kept !== undefined) options.onStreamEnd?.({ audio: { samples: concatSamples(s.kept.audio), sampleRate: rate }, events: s.kept.events });
    });
  };

  ws.on('message', (data, isBinary) => {
    if (!open) return;
    touch();
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) return audio(bytes);
      const parsed = parseClientMessage(bytes.toString('utf8'));
      if (!parsed.ok) return send(parsed.error);
      if (parsed.value.type === 'start') return start(parsed.value);
      return stop();
    } catch (error) {
      ctx.log(`message failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      close(1011, 'INTERNAL');
    }
  });
  ws.on('close', () => {
    open = false;
    clearTimeout(idle);
    stream = undefined; // queued work finishes; nothing more is sent
  });
  ws.on('error', (error) => ctx.log(`connection error: ${error.message}`));
  return { close, drained: () => work };
}

/**
 * Sent to a connection beyond the limit, before closing it. Until the close handshake ends the
 * client can still send frames, and ws reports a bad one (too big, unmasked, bad opcode or
 * UTF-8) as an 'error' event, which with no listener would be thrown and stop the server.
 */
export function refuse(ws: WebSocket, maxStreams: number): void {
  ws.on('error', () => {}); // ws closes the connection itself (1002, 1007, 1009)
  ws.send(JSON.stringify({ type: 'error', code: 'TOO_MANY_STREAMS', message: `the server is recognising its maximum of ${maxStreams} streams; try again later` } satisfies ServerMessage));
  ws.close(CLOSE.tryAgainLater, 'TOO_MANY_STREAMS');
}
