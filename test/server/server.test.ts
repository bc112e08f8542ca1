import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readWavFile, resample } from '../../src/audio/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import type { StreamRecord } from '../../src/server/options.ts';
import { validateServerOptions } from '../../src/server/options.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { SAMPLES, TINY } from '../streaming/helpers.ts';
import { connect, s16 } from './client.ts';
import { createEventLog } from './eventLog.ts';

let model: LoadedModel;
let server: LasServer;
const records: StreamRecord[] = [];
const logged: string[] = [];
const serverEvents = createEventLog();
let speech48k: Float32Array;

beforeAll(async () => {
  model = await loadModel(TINY);
  // Attention partials: the random weights' CTC head hardly ever spikes, so the default ('ctc')
  // would send next to no partial text to check (test/server/serveFlags.test.ts covers it).
  const recognition = { partialSource: 'attention' } as const;
  server = await startServer(model, { port: 0, maxStreams: 2, maxMessageBytes: 64 * 1024, idleTimeoutMs: 1000, recognition, onStreamEnd: (r) => records.push(r) }, (m) => logged.push(m), serverEvents.push);
  speech48k = resample(await readWavFile(join(SAMPLES, 'flite-awb-question.wav')), 48000).samples;
});
afterAll(async () => {
  await server?.close();
  await model?.dispose();
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);

describe('HTTP', () => {
  it('binds 127.0.0.1 by default and serves the page and its scripts with their types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<canvas id="timeline"/);
    for (const script of ['/app.js', '/timeline.js', '/pcm-worklet.js']) expect((await get(script)).headers.get('content-type')).toMatch(/text\/javascript/);
    expect(await (await get('/api/info')).json()).toEqual({ model: 'tiny-random', modes: ['global', 'local'], streams: 0, maxStreams: 2 });
  });

  it('never serves anything outside web/', async () => {
    for (const path of ['/..%2fpackage.json', '/%2e%2e/package.json', '/../src/errors.ts', '/.hidden.js', '/missing.html', '/index.html%00.js'])
      expect((await get(path)).status, path).toBe(404);
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });
});

describe('WebSocket stream', () => {
  it('recognises 48 kHz s16 audio; the final text equals offline decoding of the audio it received', async () => {
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 48000, format: 's16', mode: 'local' });
    const ready = await client.waitFor((m) => m.type === 'ready');
    expect(ready).toMatchObject({ mode: 'local', sampleRate: 16000, frameSeconds: 0.04, left: 10, right: 6, model: 'tiny-random' });
    for (let i = 0; i < speech48k.length; i += 2400) client.ws.send(s16(speech48k.subarray(i, i + 2400))); // 50 ms messages
    client.sendJson({ type: 'stop' });
    await client.waitFor((m) => m.type === 'done');
    const partials = client.messages.filter((m) => m.type === 'partial');
    const finals = client.messages.filter((m) => m.type === 'final');
    expect(partials.length).toBeGreaterThan(3);
    expect(finals.at(-1).reason).toBe('end');
    const record = records.at(-1)!;
    expect(record.audio.samples.length).toBeCloseTo(speech48k.length / 3, -1);
    for (const f of finals) {
      const samples = record.audio.samples.subarray(Math.round(f.start * 16000), Math.round(f.end * 16000));
      expect(f.text).toBe((await transcribe({ samples, sampleRate: 16000 }, { model, mode: 'local' })).text); // a stream's finals decode with the offline defaults
    }
    // A second stream on the same connection, in global mode.
    client.sendJson({ type: 'start', sampleRate: 16000, format: 'f32', mode: 'global' });
    await client.waitFor((m) => m.type === 'ready' && m.mode === 'global');
    client.ws.close();
  });

  it('answers malformed messages with an error and keeps the connection usable', async () => {
    const client = await connect(server.url);
    const errors = () => client.messages.filter((m) => m.type === 'error').map((m) => m.code);
    client.ws.send(Buffer.from([1, 2, 3, 4])); // audio before start
    client.ws.send('{"type":'); // not JSON
    client.ws.send('[1,2]'); // not an object
    client.sendJson({ type: 'dance' });
    client.sendJson({ type: 'start', sampleRate: 'fast', format: 's16' });
    client.sendJson({ type: 'start', sampleRate: 16000, format: 'mp3' });
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16', mode: 'psychic' });
    client.sendJson({ type: 'stop' }); // nothing to stop
    client.sendJson({ type: 'start', sampleRate: 16000, format: 'f32' });
    await client.waitFor((m) => m.type === 'ready');
    client.sendJson({ type: 'start', sampleRate: 16000, format: 'f32' });
    client.ws.send(Buffer.alloc(7)); // not whole float32 samples
    const nan = new Float32Array(100);
    nan[50] = Number.NaN;
    client.ws.send(Buffer.from(nan.buffer));
    client.ws.send(Buffer.from(new Float32Array(16000).fill(0.01).buffer)); // a good frame still works
    client.sendJson({ type: 'stop' });
    await client.waitFor((m) => m.type === 'done');
    expect(errors()).toEqual(['NOT_STARTED', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'NOT_STARTED', 'ALREADY_STARTED', 'BAD_FRAME', 'BAD_FRAME']);
    expect(client.messages.find((m) => m.code === 'BAD_FRAME').message).toMatch(/7 bytes/);
    expect(client.messages.filter((m) => m.type === 'final').at(-1)).toMatchObject({ reason: 'end', audioTime: 1 });
    client.ws.close();
    expect(logged).toEqual([]);
  });

  it('closes a connection that sends an oversized message (1009) and goes on serving', async () => {
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await client.waitFor((m) => m.type === 'ready');
    client.ws.send(Buffer.alloc(64 * 1024 + 2));
    expect((await client.closed).code).toBe(1009);
    const next = await connect(server.url);
    next.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await next.waitFor((m) => m.type === 'ready');
    next.ws.close();
  });

  it('refuses a stream beyond maxStreams with TOO_MANY_STREAMS (1013), and accepts one when a slot frees', async () => {
    const a = await connect(server.url);
    const b = await connect(server.url);
    const c = await connect(server.url);
    expect(await c.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'TOO_MANY_STREAMS' });
    expect((await c.closed).code).toBe(1013);
    const mark = serverEvents.lines.length;
    a.ws.close();
    await a.closed;
    // The server frees the slot on its own 'close' event, which may come after the client's.
    await serverEvents.waitFor(/ closed \(/, mark);
    expect(server.streams).toBe(1);
    const d = await connect(server.url);
    d.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await d.waitFor((m) => m.type === 'ready');
    const mark2 = serverEvents.lines.length;
    b.ws.close();
    d.ws.close();
    await Promise.all([b.closed, d.closed]);
    await serverEvents.waitFor(/ closed \(/, mark2, 2);
    expect(server.streams).toBe(0);
  });

  it('closes an idle client with IDLE_TIMEOUT (4000) once idleTimeoutMs has passed', async () => {
    // Fake timers from before the connection, so the server's idle timer is on the fake clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const client = await connect(server.url);
      client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
      await client.waitFor((m) => m.type === 'ready');
      expect(client.messages.some((m) => m.type === 'error')).toBe(false);
      vi.advanceTimersByTime(1000);
      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'IDLE_TIMEOUT' });
      expect((await client.closed).code).toBe(4000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects a page from another origin, and other paths', async () => {
    await expect(connect(server.url, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(server.url.replace(/\/$/, '/other/'))).rejects.toThrow(/404/);
    const same = await connect(server.url, { origin: server.url.replace(/\/$/, '') });
    same.ws.close();
  });

  it('validates its options', () => {
    expect(() => validateServerOptions({ port: 70000 })).toThrow(/port/);
    expect(() => validateServerOptions({ maxStreams: 0 })).toThrow(/maxStreams/);
    expect(() => validateServerOptions({ recognition: { chunkFrames: -4 } })).toThrow(/chunkFrames/);
    expect(validateServerOptions().host).toBe('127.0.0.1');
  });
});
