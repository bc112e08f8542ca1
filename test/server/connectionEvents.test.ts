import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { LoadedModel } from '../../src/model/index.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { TINY } from '../streaming/helpers.ts';
import { connect } from './client.ts';

let model: LoadedModel;
let server: LasServer;
const events: string[] = [];
const bugs: string[] = [];

beforeAll(async () => {
  model = await loadModel(TINY);
  server = await startServer(model, { port: 0, maxStreams: 1 }, (m) => bugs.push(m), (m) => events.push(m));
});
afterAll(async () => {
  await server?.close();
  await model?.dispose();
});

describe('las serve connection log', () => {
  it('says who connected, who was refused and why, and when each closed, without calling it a failure', async () => {
    const first = await connect(server.url);
    await vi.waitFor(() => expect(events.some((e) => /connected \(1 of 1 streams\)$/.test(e))).toBe(true));
    const second = await connect(server.url);
    await second.waitFor((m) => m.type === 'error');
    await vi.waitFor(() => expect(events.some((e) => /refused \(busy: 1 of 1 streams\)$/.test(e))).toBe(true));
    first.ws.close(1000);
    await vi.waitFor(() => expect(events.some((e) => /closed \(1000\) after \d+\.\d s$/.test(e))).toBe(true));
    const wrongPath = new WebSocket(new URL('/elsewhere', server.url).href.replace(/^http/, 'ws'));
    wrongPath.on('error', () => {});
    const status = await new Promise<number>((resolve) => wrongPath.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
    await vi.waitFor(() => expect(events.some((e) => /refused \(404 no stream at \/elsewhere\)$/.test(e))).toBe(true));
    // Every line names the peer; none went to the log of failures.
    for (const line of events) expect(line).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1):\d+ /);
    expect(bugs).toEqual([]);
  });
});
