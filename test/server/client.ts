import { WebSocket } from 'ws';

/** A test client that records every message and the close code. */
export interface TestClient {
  readonly ws: WebSocket;
  readonly messages: any[];
  /** Resolves with the first message (from now on or already received) matching `predicate`. */
  waitFor(predicate: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  readonly closed: Promise<{ code: number; reason: string }>;
  sendJson(value: unknown): void;
}

export async function connect(serverUrl: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}stream`, { headers });
  const messages: any[] = [];
  const waiters: { predicate: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    messages.push(m);
    for (const w of [...waiters]) if (w.predicate(m)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(m));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    sendJson: (value) => ws.send(JSON.stringify(value)),
    waitFor(predicate, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.type))}`)), timeoutMs);
        waiters.push({ predicate, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

/** Mono float samples as little-endian Int16 bytes. */
export function s16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), 2 * i);
  return out;
}
