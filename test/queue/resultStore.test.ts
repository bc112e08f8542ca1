import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisUrl, redisOptions } from '../../src/queue/connection.ts';
import { storeKeys } from '../../src/queue/names.ts';
import { readResult, storeResult, type StoredResult } from '../../src/queue/resultStore.ts';
import { transcriptRecord } from '../../src/report/transcriptFormats.ts';
import { fakeResult } from '../report/fakeResult.ts';
import { startTestRedis, type TestRedis } from './redisServer.ts';

/**
 * The result store keeps the first result written for a job and counts it once. A write that
 * reaches Redis twice because the connection dropped before its reply (ioredis sends it again
 * after reconnecting) is the same write: it says stored both times. Another run's result for
 * the same job is refused.
 */
let redis: TestRedis;
/** A client straight to Redis, no proxy between. */
let direct: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  direct = new Redis({ host: '127.0.0.1', port: redis.port });
});
afterAll(async () => {
  direct?.disconnect();
  await redis?.dispose();
});

function result(jobId: string, attempt: number, duration = 5): StoredResult {
  return {
    jobId,
    record: transcriptRecord(`/in/${jobId}.wav`, fakeResult({ text: 'one two', seconds: duration })),
    worker: 'w1',
    attempt,
    finishedAt: 1_000 + attempt,
  };
}

const stats = (queue: string): Promise<Record<string, string>> => direct.hgetall(storeKeys(queue).stats);

/**
 * A TCP proxy in front of Redis that, once armed, forwards the next EVAL and cuts the client's
 * connection when Redis answers it, before the answer is passed on: Redis has run the script,
 * and the client never heard so.
 */
function cuttingProxy(port: number): Promise<{ server: Server; port: number; arm(): void; cuts(): number }> {
  let armed = false;
  let cuts = 0;
  const server = createServer((client: Socket) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    let evalSent = false;
    client.on('data', (chunk) => {
      if (armed && /\r\neval\r\n/i.test(chunk.toString('latin1'))) evalSent = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (evalSent) {
        armed = false;
        evalSent = false;
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({ server, port: (server.address() as { port: number }).port, arm: () => void (armed = true), cuts: () => cuts })));
}

describe('storeResult', () => {
  it('stores a job once: a second run of the job is refused and not counted', async () => {
    expect(await storeResult(direct, 'once', result('a', 1))).toBe(true);
    expect(await storeResult(direct, 'once', result('a', 2))).toBe(false);
    expect((await readResult(direct, 'once', 'a'))?.attempt).toBe(1);
    expect(await stats('once')).toMatchObject({ results: '1', audioSeconds: '5', lastFinishedAt: '1001' });
  });

  it('the same write sent twice says stored both times, and is counted once', async () => {
    expect(await storeResult(direct, 'twice', result('b', 1, 2.5))).toBe(true);
    expect(await storeResult(direct, 'twice', result('b', 1, 2.5))).toBe(true);
    expect(await stats('twice')).toMatchObject({ results: '1', audioSeconds: '2.5' });
  });

  it('a reply lost to a dropped connection: ioredis resends the write, and it is still this run that stored it', async () => {
    const proxy = await cuttingProxy(redis.port);
    const client = new Redis(redisOptions(parseRedisUrl(`redis://127.0.0.1:${proxy.port}`), true));
    client.on('error', () => undefined); // the cut connection; ioredis reconnects by itself
    try {
      await client.ping();
      proxy.arm();
      expect(await storeResult(client, 'resent', result('c', 1))).toBe(true);
      expect(proxy.cuts()).toBe(1); // the reply was really lost, and the script ran twice
      expect((await readResult(direct, 'resent', 'c'))?.attempt).toBe(1);
      expect(await stats('resent')).toMatchObject({ results: '1', audioSeconds: '5' });
    } finally {
      client.disconnect();
      proxy.server.close();
    }
  });
});
