import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../src/model/index.ts';
import { handleConnection } from '../../src/server/connection.ts';
import type { Mutex } from '../../src/server/mutex.ts';
import { validateServerOptions } from '../../src/server/options.ts';
import { startServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { TINY } from '../streaming/helpers.ts';
import { connect, s16 } from './client.ts';
import { rawConnect } from './rawClient.ts';

let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(async () => {
  await model?.dispose();
});

/** Just enough of a ws WebSocket for handleConnection: events in, sends and closes recorded. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: any[] = [];
  closedWith: number | undefined;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 2;
  }
  receive(data: string | Buffer) {
    this.emit('message', Buffer.from(data), typeof data !== 'string');
  }
  /** The peer went away. */
  depart() {
    this.readyState = 3;
    this.emit('close', 1001, Buffer.alloc(0));
  }
}

/** A mutex that counts the tasks given to it and holds them all until opened. */
function gatedMutex() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started = 0;
  const mutex: Mutex = {
    async run(task) {
      started++;
      await gate;
      return task();
    },
    get pending() {
      return 0;
    },
  };
  return { mutex, open, started: () => started };
}

const chunk = () => s16(new Float32Array(1600).fill(0.1)); // 100 ms at 16 kHz

describe('a connection whose client departs', () => {
  it('drops its queued chunks: only the one already running finishes', async () => {
    const ws = new FakeSocket();
    const gate = gatedMutex();
    const logged: string[] = [];
    const handle = handleConnection(ws as unknown as WebSocket, { model, mutex: gate.mutex, options: validateServerOptions({}), log: (m) => logged.push(m) });
    ws.receive(JSON.stringify({ type: 'start', sampleRate: 16000, format: 's16' }));
    for (let i = 0; i < 5; i++) ws.receive(chunk());
    ws.receive(JSON.stringify({ type: 'stop' }));
    await new Promise(setImmediate); // the first chunk reaches the mutex
    expect(gate.started()).toBe(1);
    ws.depart();
    gate.open();
    await handle.drained();
    expect(gate.started()).toBe(1);
    expect(ws.sent.map((m) => m.type)).toEqual(['ready']);
    expect(logged).toEqual([]);
  });

  it('close() from the server side also drops the queue at once', async () => {
    const ws = new FakeSocket();
    const gate = gatedMutex();
    const handle = handleConnection(ws as unknown as WebSocket, { model, mutex: gate.mutex, options: validateServerOptions({}), log: () => {} });
    ws.receive(JSON.stringify({ type: 'start', sampleRate: 16000, format: 's16' }));
    for (let i = 0; i < 5; i++) ws.receive(chunk());
    await new Promise(setImmediate);
    handle.close(1001, 'server shutting down');
    expect(ws.closedWith).toBe(1001);
    gate.open();
    await handle.drained();
    expect(gate.started()).toBe(1);
  });
});

/** The model with its encoder held at a gate: `entered` resolves when a chunk is inside inference. */
function gatedModel(base: LoadedModel) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let enter!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  let running = 0;
  const runChunk = async (...args: Parameters<LoadedModel['encoder']['runChunk']>) => {
    running++;
    enter();
    try {
      await gate;
      return await base.encoder.runChunk(...args);
    } finally {
      running--;
    }
  };
  // Methods use private fields, so everything else is called on the real encoder.
  const encoder = new Proxy(base.encoder, {
    get: (target, key) => {
      if (key === 'runChunk') return runChunk;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { model: { ...base, encoder } as LoadedModel, open, entered, running: () => running };
}

describe('server close()', () => {
  it('returns only once no inference is running, so the model can be disposed right after', async () => {
    const gated = gatedModel(model);
    const logged: string[] = [];
    const server = await startServer(gated.model, { port: 0 }, (m) => logged.push(m));
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await client.waitFor((m) => m.type === 'ready');
    for (let i = 0; i < 40; i++) client.ws.send(chunk());
    await gated.entered;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    // The client sees its connection closed at once; close() itself must still be waiting,
    // however many turns of the event loop pass, until the chunk inside inference is done.
    expect((await client.closed).code).toBe(1001);
    for (let turn = 0; turn < 200 && !closed; turn++) await new Promise(setImmediate);
    expect(closed).toBe(false);
    gated.open();
    await closing;
    expect(gated.running()).toBe(0);
    expect(server.pendingWork).toBe(0);
    expect(logged).toEqual([]);
  });

  it('while it waits for work in flight, refuses new streams with 503 and says so', async () => {
    const gated = gatedModel(model);
    const events: string[] = [];
    const server = await startServer(gated.model, { port: 0 }, () => {}, (line) => events.push(line));
    const client = await connect(server.url);
    client.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await client.waitFor((m) => m.type === 'ready');
    for (let i = 0; i < 40; i++) client.ws.send(chunk());
    await gated.entered;
    const closing = server.close();
    expect((await client.closed).code).toBe(1001);
    // close() is still waiting for the chunk inside inference, so the server still listens.
    const late = rawConnect(server.url);
    expect(await late.status).toMatch(/^HTTP\/1\.1 503 /);
    await late.closed;
    expect(events.filter((e) => e.includes('refused'))).toEqual([expect.stringMatching(/refused \(503 shutting down\)$/)]);
    gated.open();
    await closing;
    expect(gated.running()).toBe(0);
  });
});
