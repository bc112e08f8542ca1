import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../src/model/index.ts';
import { handleConnection } from '../../src/server/connection.ts';
import { createMutex } from '../../src/server/mutex.ts';
import { validateServerOptions } from '../../src/server/options.ts';
import { decodePcmFrame, parseClientMessage } from '../../src/server/protocol.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { TINY } from '../streaming/helpers.ts';
import { connect, s16 } from '../server/client.ts';
import { frame, rawConnect } from '../server/rawClient.ts';
import { runs } from './runs.ts';

/**
 * The WebSocket protocol takes bytes from outside. Random control messages, random PCM frames,
 * random message sequences on one connection, and random raw frames on the wire must each be
 * answered (or dropped) by the protocol's own rules: no exception escapes, no bug is logged,
 * and the server goes on serving.
 */
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(async () => {
  await model?.dispose();
});

const SERVER_TYPES = new Set(['ready', 'done', 'error', 'partial', 'final']);
const CODES = new Set(['BAD_MESSAGE', 'BAD_FRAME', 'NOT_STARTED', 'ALREADY_STARTED', 'TOO_MANY_STREAMS', 'IDLE_TIMEOUT', 'OVERLOADED']);

/** JSON-ish text: mostly near-valid control messages, sometimes garbage. */
const controlText = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.json({ maxDepth: 2 }),
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom('start', 'stop', 'pause'), fc.string({ maxLength: 6 }), fc.integer()),
        sampleRate: fc.oneof(fc.constantFrom(8000, 16000, 44100, 48000, 999, 384001), fc.integer(), fc.double(), fc.string({ maxLength: 4 })),
        format: fc.oneof(fc.constantFrom('s16', 'f32', 'mp3'), fc.integer()),
        mode: fc.oneof(fc.constantFrom('local', 'global', 'psychic'), fc.constant(null)),
      },
      { requiredKeys: [] },
    )
    .map((m) => JSON.stringify(m)),
  fc.string({ minLength: 1000, maxLength: 1100 }),
);

describe('protocol parsers', () => {
  it('parseClientMessage never throws: a message, or BAD_MESSAGE', () => {
    fc.assert(
      fc.property(controlText, (text) => {
        const parsed = parseClientMessage(text);
        if (!parsed.ok) expect(parsed.error.code).toBe('BAD_MESSAGE');
        else expect(['start', 'stop']).toContain(parsed.value.type);
      }),
      { numRuns: runs(300), seed: 1 },
    );
  });

  it('decodePcmFrame never throws: finite samples within range, or BAD_FRAME', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.constantFrom('s16' as const, 'f32' as const), (bytes, format) => {
        const decoded = decodePcmFrame(bytes, format);
        if (!decoded.ok) return void expect(decoded.error.code).toBe('BAD_FRAME');
        expect(decoded.value.every((x) => Number.isFinite(x) && Math.abs(x) <= 1e6)).toBe(true);
      }),
      { numRuns: runs(300), seed: 2 },
    );
  });
});

/** A WebSocket stand-in: messages in, sends and closes recorded. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: any[] = [];
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 2;
  }
}

const clientMessage = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ text: JSON.stringify({ type: 'start', sampleRate: 16000, format: 's16' }) }) },
  { weight: 1, arbitrary: fc.constantFrom(8000, 22050, 48000).map((sampleRate) => ({ text: JSON.stringify({ type: 'start', sampleRate, format: 'f32', mode: 'global' }) })) },
  { weight: 2, arbitrary: fc.constant({ text: JSON.stringify({ type: 'stop' }) }) },
  { weight: 2, arbitrary: controlText.map((text) => ({ text })) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 4000 }).map((n) => ({ binary: s16(Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin(i / 7))) })) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 64 }).map((bytes) => ({ binary: Buffer.from(bytes) })) },
);

describe('one connection under random message sequences', () => {
  it('answers only with protocol messages, logs no bug, and drains', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(clientMessage, { minLength: 1, maxLength: 12 }), async (messages) => {
        const ws = new FakeSocket();
        const logged: string[] = [];
        const handle = handleConnection(ws as unknown as WebSocket, { model, mutex: createMutex(), options: validateServerOptions({ idleTimeoutMs: 60_000 }), log: (m) => logged.push(m) });
        for (const m of messages) {
          if ('text' in m) ws.emit('message', Buffer.from(m.text), false);
          else ws.emit('message', m.binary, true);
        }
        ws.emit('message', Buffer.from(JSON.stringify({ type: 'stop' })), false);
        await handle.drained();
        ws.readyState = 3;
        ws.emit('close', 1000, Buffer.alloc(0));
        expect(logged).toEqual([]);
        for (const sent of ws.sent) {
          expect(SERVER_TYPES.has(sent.type)).toBe(true);
          if (sent.type === 'error') expect(CODES.has(sent.code)).toBe(true);
        }
      }),
      { numRuns: runs(120), seed: 3 },
    );
  });
});

describe('the live server under random raw frames', () => {
  let server: LasServer;
  const logged: string[] = [];
  // An exception thrown from a socket event would stop `las serve`; here it is recorded.
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);
  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    server = await startServer(model, { port: 0, maxStreams: 2, maxMessageBytes: 4096, handshakeTimeoutMs: 2000 }, (m) => logged.push(m));
  });
  afterAll(async () => {
    process.off('uncaughtException', recordUncaught);
    await server?.close();
  });

  const rawFrame = fc.record({
    opcode: fc.integer({ min: 0, max: 15 }),
    payload: fc.uint8Array({ maxLength: 300 }),
    masked: fc.boolean(),
    fin: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    cut: fc.option(fc.integer({ min: 1, max: 20 })),
  });

  it('closes or answers each connection, never stops, and serves a fresh client after', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawFrame, { minLength: 1, maxLength: 4 }), async (frames) => {
        const raw = rawConnect(server.url);
        expect(await raw.status).toMatch(/ 101 /);
        for (const f of frames) {
          const bytes = frame(f.opcode, f.payload, { masked: f.masked, fin: f.fin, rsv: f.rsv });
          raw.write(f.cut === null ? bytes : bytes.subarray(0, Math.max(1, bytes.length - f.cut)));
        }
        // End our side; the server must then close too (with or without its own close frame).
        raw.socket.end();
        await raw.closed;
        expect(uncaught).toEqual([]);
      }),
      { numRuns: runs(60), seed: 4 },
    );
    // The server frees a slot when it has seen a connection close, which may come just after
    // the client saw it: a refusal then is not a failure, so try again (a bounded number of times).
    let client = await connect(server.url);
    for (let attempt = 0; attempt < 100; attempt++) {
      client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
      const first = await client.waitFor((m) => m.type === 'ready' || m.type === 'error');
      if (first.type === 'ready') break;
      expect(first.code).toBe('TOO_MANY_STREAMS');
      await client.closed;
      client = await connect(server.url);
    }
    for (let k = 0; k < 4; k++) client.ws.send(s16(Float32Array.from({ length: 2000 }, (_, i) => 0.2 * Math.sin(i / 7)))); // under the 4 KiB limit
    client.sendJson({ type: 'stop' });
    await client.waitFor((m) => m.type === 'done');
    client.ws.close();
    await client.closed;
    expect(logged.filter((m) => !m.startsWith('connection error'))).toEqual([]);
  });
});
