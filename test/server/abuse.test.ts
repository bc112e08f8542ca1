import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedKernelCount, KERNEL_CACHE_ENTRIES } from '../../src/audio/resample.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { createHostCheck } from '../../src/server/hostCheck.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { TINY } from '../streaming/helpers.ts';
import { connect, s16, type TestClient } from './client.ts';
import { frame, OPCODE, rawConnect } from './rawClient.ts';

/**
 * What a hostile client can try (issue 11, items 1, 5, 10, 11). After each attack a fresh,
 * well-behaved client must still be served, and nothing may have been thrown uncaught (which
 * would stop `las serve`; here the server runs in the test's process, so it is recorded).
 */
let model: LoadedModel;
let server: LasServer;
const logged: string[] = [];
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);
const MAX_MESSAGE = 64 * 1024;

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  model = await loadModel(TINY);
  server = await startServer(model, { port: 0, maxStreams: 1, maxMessageBytes: MAX_MESSAGE, idleTimeoutMs: 20_000, handshakeTimeoutMs: 500 }, (m) => logged.push(m));
});
afterAll(async () => {
  process.off('uncaughtException', recordUncaught);
  await server?.close();
  await model?.dispose();
});

const tone = (seconds: number) => Float32Array.from({ length: Math.round(seconds * 16000) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));

/** Streams half a second on a started client and gets its final text and "done". */
async function recognises(client: TestClient): Promise<void> {
  client.ws.send(s16(tone(0.5)));
  client.sendJson({ type: 'stop' });
  await client.waitFor((m) => m.type === 'done');
  expect(client.messages.filter((m) => m.type === 'final').at(-1)).toMatchObject({ reason: 'end' });
}

async function freshClientIsServed(): Promise<void> {
  // The previous client's slot frees when the server has seen its close; until then a new one
  // is refused with TOO_MANY_STREAMS, so try again (a bounded number of times).
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    const first = await client.waitFor((m) => m.type === 'ready' || m.type === 'error');
    if (first.code === 'TOO_MANY_STREAMS') {
      await client.closed;
      continue;
    }
    expect(first.type).toBe('ready');
    await recognises(client);
    client.ws.close();
    await client.closed;
    expect(uncaught).toEqual([]);
    return;
  }
  throw new Error('no stream slot freed after 100 attempts');
}

const BAD_FRAMES: Record<string, () => Buffer> = {
  'a frame over the size limit': () => frame(OPCODE.binary, new Uint8Array(1 << 20)),
  'an invalid opcode': () => frame(3, new Uint8Array(4)),
  'invalid UTF-8 in a text frame': () => frame(OPCODE.text, Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])),
  'an unmasked frame': () => frame(OPCODE.binary, new Uint8Array(8), { masked: false }),
  'reserved bits set': () => frame(OPCODE.binary, new Uint8Array(8), { rsv: 0b111 }),
  'a fragmented ping': () => frame(OPCODE.ping, new Uint8Array(2), { fin: false }),
  'a continuation with nothing to continue': () => frame(OPCODE.continuation, new Uint8Array(2)),
};

describe('item 1: a connection refused at maxStreams', () => {
  it.each(Object.keys(BAD_FRAMES))('that then sends %s does not stop the server', async (name) => {
    const holder = await connect(server.url);
    holder.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await holder.waitFor((m) => m.type === 'ready');
    const refused = rawConnect(server.url);
    expect(await refused.status).toMatch(/ 101 /);
    refused.write(BAD_FRAMES[name]());
    await refused.closed;
    // The stream held all along is still recognised, and after it a fresh client.
    await recognises(holder);
    holder.ws.close();
    await holder.closed;
    await freshClientIsServed();
  });
});

describe('item 1: an accepted connection', () => {
  it.each(Object.keys(BAD_FRAMES))('that sends %s is closed, and the server goes on', async (name) => {
    const raw = rawConnect(server.url);
    expect(await raw.status).toMatch(/ 101 /);
    raw.write(BAD_FRAMES[name]());
    const bytes = await raw.closed;
    // The server's close frame carries a protocol-error code (1002, 1007 or 1009).
    const at = bytes.indexOf(Buffer.from([0x88]));
    expect(at).toBeGreaterThan(0);
    expect([1002, 1007, 1009]).toContain(bytes.readUInt16BE(at + 2));
    await freshClientIsServed();
  });
});

describe('item 5: a client choosing many sample rates', () => {
  it('keeps the resampler kernel cache bounded', async () => {
    await freshClientIsServed();
    const client = await connect(server.url);
    for (let i = 0; i < 50; i++) {
      client.sendJson({ type: 'start', sampleRate: 16_001 + 37 * i, format: 's16' });
      await client.waitFor((m) => m.type === 'ready' && client.messages.filter((x) => x.type === 'ready').length === i + 1);
      expect(cachedKernelCount()).toBeLessThanOrEqual(KERNEL_CACHE_ENTRIES);
      client.sendJson({ type: 'stop' });
      await client.waitFor(() => client.messages.filter((x) => x.type === 'done').length === i + 1);
    }
    client.ws.close();
    await client.closed;
    await freshClientIsServed();
  });
});

describe('item 10: connections that never finish their handshake', () => {
  it('are closed: silent ones, half-written headers, and a WebSocket upgrade cut short', async () => {
    const silent = Array.from({ length: 100 }, () => rawConnect(server.url, { handshake: false }));
    const half = rawConnect(server.url, { handshake: false });
    half.write(Buffer.from('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webso'));
    await Promise.all([...silent.map((c) => c.closed), half.closed]);
    await freshClientIsServed();
  });
});

describe('item 11: DNS rebinding', () => {
  const port = () => new URL(server.url).port;
  const httpStatus = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: port(), path: '/api/info', headers: { host } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end();
    });

  it('refuses a WebSocket whose Host and Origin are both a foreign name', async () => {
    const rebound = rawConnect(server.url, { headers: { Host: `evil.example:${port()}`, Origin: `http://evil.example:${port()}` } });
    expect(await rebound.status).toMatch(/ 403 /);
    await rebound.closed;
    const noOrigin = rawConnect(server.url, { headers: { Host: `evil.example:${port()}` } });
    expect(await noOrigin.status).toMatch(/ 403 /);
    await freshClientIsServed();
  });

  it('refuses page and API requests for a foreign Host, and serves its own names', async () => {
    expect(await httpStatus(`evil.example:${port()}`)).toBe(403);
    expect(await httpStatus(`127.0.0.1.evil.example:${port()}`)).toBe(403);
    expect(await httpStatus(`127.0.0.1:${Number(port()) + 1}`)).toBe(403);
    expect(await httpStatus(`127.0.0.1:${port()}`)).toBe(200);
    expect(await httpStatus(`localhost:${port()}`)).toBe(200);
    await freshClientIsServed();
  });

  it('accepts only the listening address, localhost on loopback, the bound name and allowed names', () => {
    const loop = createHostCheck({ address: '127.0.0.1', port: 8080 }, '127.0.0.1', []);
    expect(['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '2130706433:8080'].map(loop)).toEqual([true, true, true, true]);
    expect(['evil.example:8080', '127.0.0.1:8081', '[::1]:8080', '10.0.0.1:8080', '127.0.0.1', '', 'a b:8080', 'u@127.0.0.1:8080', undefined].map(loop).every((ok) => !ok)).toBe(true);
    const any = createHostCheck({ address: '0.0.0.0', port: 80 }, '0.0.0.0', ['box.lan']);
    expect(['192.168.1.5', '[fe80::1]', 'box.lan', 'BOX.LAN.', 'localhost'].map(any)).toEqual([true, true, true, true, true]);
    expect(['evil.example', 'box.lan.evil.example'].map(any)).toEqual([false, false]);
    const named = createHostCheck({ address: '192.168.1.5', port: 8080 }, 'box.lan', []);
    expect(['box.lan:8080', '192.168.1.5:8080', 'localhost:8080', '127.0.0.1:8080'].map(named)).toEqual([true, true, false, false]);
  });
});

describe('server log', () => {
  it('logged no internal failure during the abuse', () => {
    expect(logged.filter((m) => !m.startsWith('connection error'))).toEqual([]);
  });
});
