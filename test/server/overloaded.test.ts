import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { SAMPLES, TINY } from '../streaming/helpers.ts';
import { connect, s16 } from './client.ts';
import { createEventLog } from './eventLog.ts';

/** A server that lets at most 1 s of audio wait to be recognised per stream. */
let model: LoadedModel;
let server: LasServer;
let speech: Float32Array; // 16 kHz
const serverEvents = createEventLog();
const serverEvent = (pattern: RegExp) => serverEvents.waitFor(pattern);
beforeAll(async () => {
  model = await loadModel(TINY);
  server = await startServer(model, { port: 0, maxStreams: 1, maxQueuedSeconds: 1 }, () => {}, serverEvents.push);
  speech = (await readWavFile(join(SAMPLES, 'flite-kal-sentence.wav'))).samples;
});
afterAll(async () => {
  await server?.close();
  await model?.dispose();
});

describe('the server under more audio than it may queue', () => {
  it('audio within maxQueuedSeconds is recognised to the end, with no error', async () => {
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await client.waitFor((m) => m.type === 'ready');
    client.ws.send(s16(speech.subarray(0, 14_400))); // 0.9 s
    client.sendJson({ type: 'stop' });
    await client.waitFor((m) => m.type === 'done');
    expect(client.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(client.messages.filter((m) => m.type === 'final').at(-1)).toMatchObject({ reason: 'end' });
    client.ws.close();
    await client.closed;
    await serverEvent(/closed \(\d+\)/); // its slot is free again (maxStreams is 1)
  });

  it('more than maxQueuedSeconds waiting closes the stream with OVERLOADED (1013), recognises none of it, and the server serves the next stream', async () => {
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await client.waitFor((m) => m.type === 'ready');
    client.ws.send(s16(speech.subarray(0, 19_200))); // 1.2 s at once
    expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'OVERLOADED', message: expect.stringMatching(/more than 1 s of audio waiting/) });
    expect(await client.closed).toMatchObject({ code: 1013, reason: 'OVERLOADED' });
    expect(client.messages.filter((m) => m.type === 'partial' || m.type === 'final')).toEqual([]);
    // maxStreams is 1: the next stream is accepted only if the overloaded one gave its slot
    // back, which the server does on its own close event (it may come after the client's).
    await serverEvent(/closed \(1013\)/);
    const next = await connect(server.url);
    next.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    expect(await next.waitFor((m) => m.type === 'ready' || m.type === 'error')).toMatchObject({ type: 'ready' });
    next.ws.close();
    await next.closed;
  });
});
