import { connect as tcpConnect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * A WebSocket client at the byte level, for sending what a well-behaved client never would:
 * unmasked frames, bad opcodes, invalid UTF-8, oversized or half-written frames, or nothing at
 * all. Everything the server writes back is collected; `closed` resolves when the server ends
 * the TCP connection.
 */
export interface RawClient {
  readonly socket: Socket;
  /** The HTTP status line of the handshake answer (e.g. "HTTP/1.1 101 Switching Protocols"). */
  readonly status: Promise<string>;
  readonly closed: Promise<Buffer>;
  write(bytes: Uint8Array): void;
}

export function rawConnect(serverUrl: string, opts: { readonly handshake?: boolean; readonly headers?: Record<string, string>; readonly path?: string } = {}): RawClient {
  const url = new URL(serverUrl);
  const socket = tcpConnect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => socket.destroy());
  const closed = new Promise<Buffer>((resolve) => socket.on('close', () => resolve(Buffer.concat(received))));
  const status = new Promise<string>((resolve) => {
    const look = () => {
      const text = Buffer.concat(received).toString('latin1');
      const end = text.indexOf('\r\n');
      if (end >= 0) return resolve(text.slice(0, end));
      socket.once('data', look);
    };
    socket.once('data', look);
    socket.once('close', () => resolve(Buffer.concat(received).toString('latin1').split('\r\n')[0] ?? ''));
  });
  if (opts.handshake !== false) {
    const headers: Record<string, string> = {
      Host: url.host,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...opts.headers,
    };
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(`GET ${opts.path ?? '/stream'} HTTP/1.1\r\n${lines.join('')}\r\n`);
  }
  return { socket, status, closed, write: (bytes) => void (socket.destroyed || socket.write(bytes)) };
}

/** One WebSocket frame; masked as clients must unless `masked` is false. */
export function frame(opcode: number, payload: Uint8Array, opts: { readonly masked?: boolean; readonly fin?: boolean; readonly rsv?: number } = {}): Buffer {
  const masked = opts.masked ?? true;
  const head = [((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  if (payload.length < 126) head.push(maskBit | payload.length);
  else if (payload.length < 65536) head.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    for (let shift = 24; shift >= 0; shift -= 8) head.push((payload.length >>> shift) & 0xff);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([Buffer.from(head), mask, body]);
}

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;
