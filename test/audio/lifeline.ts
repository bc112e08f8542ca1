import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';

/**
 * The test's end of a fake recorder's lifeline (fixtures/lifeline.mjs): a Unix socket the
 * recorder connects to when it starts. `ended` resolves when the recorder's process has ended
 * (its end of the socket closed with it): an event, not a poll of its pid.
 */
export async function listenForLifeline(dir: string): Promise<{ readonly env: { FAKE_MIC_LIFELINE: string }; readonly connected: Promise<void>; readonly ended: Promise<void>; close(): void }> {
  const path = join(dir, 'lifeline.sock');
  const server = createServer();
  const socket = new Promise<Socket>((resolve) => server.once('connection', resolve));
  server.listen(path);
  await once(server, 'listening');
  const ended = socket.then((s) => {
    s.resume(); // read to the end, so the peer's close is seen
    return new Promise<void>((resolve) => s.once('close', () => resolve()));
  });
  return {
    env: { FAKE_MIC_LIFELINE: path },
    connected: socket.then(() => undefined),
    ended,
    close: () => server.close(),
  };
}
