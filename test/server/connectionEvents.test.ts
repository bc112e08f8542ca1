import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LoadedModel } from '../../src/model/index.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { TINY } from '../streaming/helpers.ts';
import { connect } from './client.ts';
import { createEventLog } from './eventLog.ts';

let model: LoadedModel;
let server: LasServer;
const log = createEventLog();
const events = log.lines;
const bugs: string[] = [];

beforeAll(async () => {
  model = await loadModel(TINY);
  server = await startServer(model, { port: 0, maxStreams: 1 }, (m) => bugs.push(m), log.push);
});
afterAll(async () => {
  await server?.close();
  await model?.dispose();
});

describe('las serve connection log', () => {
  it('says who connected, who was refused and why, and when each closed, without calling it a failure', async () => {
    const first = await connect(server.url);
    await log.waitFor(/connected \(1 of 1 streams\)$/);
    const second = await connect(server.url);
    await second.waitFor((m) => m.type === 'error');
    await log.waitFor(/refused \(busy: 1 of 1 streams\)$/);
    first.ws.close(1000);
    await log.waitFor(/closed \(1000\) after \d+\.\d s$/);
    const wrongPath = new WebSocket(new URL('/elsewhere', server.url).href.replace(/^http/, 'ws'));
    wrongPath.on('error', () => {});
    const status = await new Promise<number>((resolve) => wrongPath.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
    await log.waitFor(/refused \(404 no stream at \/elsewhere\)$/);
    // Every line names the peer; none went to the log of failures.
    for (const line of events) expect(line).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1):\d+ /);
    expect(bugs).toEqual([]);
  });
});
