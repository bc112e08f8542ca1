import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LoadedModel } from '../model/index.ts';
import { checkStreamingOptionsFor } from '../streaming/recognizer.ts';
import { handleConnection, refuse, type ConnectionHandle } from './connection.ts';
import { createHostCheck, type HostCheck } from './hostCheck.ts';
import { createMutex } from './mutex.ts';
import { validateServerOptions, type ServerOptions } from './options.ts';
import { createStaticHandler, send } from './staticFiles.ts';

export const STREAM_PATH = '/stream';
export const INFO_PATH = '/api/info';

export interface LasServer {
  /** Where it listens, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  /** Connections open now. */
  readonly streams: number;
  /** Inference tasks (one audio chunk or one stop each) queued or running, over all connections. */
  readonly pendingWork: number;
  /**
   * Stops accepting, closes every connection (1001), waits for the inference already running to
   * finish (queued chunks are dropped), and closes the listener. Afterwards nothing uses the
   * model, so the caller may dispose of it.
   */
  close(): Promise<void>;
}

/**
 * `las serve`: the page (web/) over HTTP and live recognition over a WebSocket at /stream, one
 * stream per connection. One model, loaded by the caller, serves every connection; each has its
 * own recognizer state. Limits: message size (ws maxPayload), concurrent streams, handshake and
 * idle time, and queued audio (src/server/options.ts). Requests whose Host header does not name
 * this server are refused (DNS rebinding), and WebSocket upgrades from another Origin too.
 */
/**
 * `log` takes unexpected failures (bugs) only; `events` (off unless given) takes one line per
 * stream connection: accepted, refused and why, closed with its code and duration. `las serve`
 * prints them on stderr.
 */
export async function startServer(
  model: LoadedModel,
  options: Partial<ServerOptions> = {},
  log: (message: string) => void = (m) => process.stderr.write(`las serve: ${m}\n`),
  events: (message: string) => void = () => {},
): Promise<LasServer> {
  const o = validateServerOptions(options);
  // Recognition settings this bundle cannot serve (an LM weight without an LM) fail here, before
  // listening, rather than at every stream's start.
  checkStreamingOptionsFor(model, o.recognition);
  const serveFile = createStaticHandler(o.webRoot);
  const mutex = createMutex();
  const sockets = new Set<WebSocket>();
  const connections = new Set<ConnectionHandle>();
  let hostAllowed: HostCheck = () => false; // set once listening, when the port is known
  let closing = false;

  const http: Server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host)) return send(res, 403, 'unknown Host');
    if (new URL(req.url ?? '/', 'http://localhost').pathname === INFO_PATH) {
      const info = { model: model.card.name, modes: model.config.attention.modes, streams: sockets.size, maxStreams: o.maxStreams };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      return res.end(JSON.stringify(info));
    }
    serveFile(req, res).catch((error: unknown) => {
      log(`serving ${req.url} failed: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes });

  // Until its request headers are complete a connection has a deadline; after that the page's
  // keep-alive timeout or the stream's idle timeout takes over.
  const handshakeTimers = new WeakMap<object, NodeJS.Timeout>();
  const handshakeDone = (socket: object) => clearTimeout(handshakeTimers.get(socket));
  http.on('connection', (socket) => {
    const timer = setTimeout(() => socket.destroy(), o.handshakeTimeoutMs);
    socket.once('close', () => clearTimeout(timer));
    handshakeTimers.set(socket, timer);
  });
  http.on('request', (req: IncomingMessage) => handshakeDone(req.socket));

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handshakeDone(socket);
    socket.on('error', () => socket.destroy());
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const refused = (status: number, text: string, why: string) => {
      events(`${peer} refused (${status} ${why})`);
      reject(socket, status, text);
    };
    if (closing) return refused(503, 'Service Unavailable', 'shutting down');
    if (!hostAllowed(req.headers.host)) return refused(403, 'Forbidden', `Host ${JSON.stringify(req.headers.host ?? '')} is not this server`);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== STREAM_PATH) return refused(404, 'Not Found', `no stream at ${path}`);
    // A page from another site must not use this server (cross-site WebSocket hijacking).
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) return refused(403, 'Forbidden', `Origin ${origin} is another site`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Before anything else: an 'error' event with no listener would be thrown and stop the
      // server. ws itself closes the connection after a protocol error (1002, 1007, 1009).
      ws.on('error', () => {});
      if (closing || sockets.size >= o.maxStreams) {
        events(`${peer} refused (${closing ? 'shutting down' : `busy: ${sockets.size} of ${o.maxStreams} streams`})`);
        return refuse(ws, o.maxStreams);
      }
      sockets.add(ws);
      const opened = Date.now();
      events(`${peer} connected (${sockets.size} of ${o.maxStreams} streams)`);
      const connection = handleConnection(ws, { model, mutex, options: o, log });
      connections.add(connection);
      ws.on('close', (code: number) => {
        sockets.delete(ws);
        events(`${peer} closed (${code}) after ${((Date.now() - opened) / 1000).toFixed(1)} s`);
        void connection.drained().then(() => connections.delete(connection));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  hostAllowed = createHostCheck(address, o.host, o.allowedHosts);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/`,
    get streams() {
      return sockets.size;
    },
    get pendingWork() {
      return mutex.pending;
    },
    async close() {
      closing = true;
      for (const connection of connections) connection.close(1001, 'server shutting down');
      await Promise.all([...connections].map((c) => c.drained()));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
