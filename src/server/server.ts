import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LoadedModel } from '../model/index.ts';
import { handleConnection, refuse } from './connection.ts';
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
  /** Stops accepting, closes every connection (1001) and the listener. The model is the caller's. */
  close(): Promise<void>;
}

/**
 * `las serve`: the page (web/) over HTTP and live recognition over a WebSocket at /stream, one
 * stream per connection. One model, loaded by the caller, serves every connection; each has its
 * own recognizer state. Limits: message size (ws maxPayload), concurrent streams, idle time and
 * queued audio (src/server/options.ts).
 */
export async function startServer(model: LoadedModel, options: Partial<ServerOptions> = {}, log: (message: string) => void = (m) => process.stderr.write(`las serve: ${m}\n`)): Promise<LasServer> {
  const o = validateServerOptions(options);
  const serveFile = createStaticHandler(o.webRoot);
  const mutex = createMutex();
  const sockets = new Set<WebSocket>();

  const http: Server = createServer((req, res) => {
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

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== STREAM_PATH) return reject(socket, 404, 'Not Found');
    // A page from another site must not use this server (cross-site WebSocket hijacking).
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) return reject(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (sockets.size >= o.maxStreams) return refuse(ws, o.maxStreams);
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      handleConnection(ws, { model, mutex, options: o, log });
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
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/`,
    get streams() {
      return sockets.size;
    },
    async close() {
      for (const ws of sockets) ws.close(1001, 'server shutting down');
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
