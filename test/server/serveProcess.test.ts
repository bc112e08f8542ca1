import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, TINY } from '../cli/runCli.ts';
import { connect, s16 } from './client.ts';
import { frame, OPCODE, rawConnect } from './rawClient.ts';

/**
 * Issue 11, item 1, as reported: `las serve --max-streams 1`, one stream held, a second
 * connection (refused) sends 1 MiB. The process used to exit on the uncaught WS_ERR_*; it must
 * go on serving, and stop only on Ctrl+C, with exit code 0.
 */
describe('las serve as a process', () => {
  it('survives a refused connection that sends an oversized frame, then stops on SIGINT with 0', async () => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/las.js'), 'serve', '--port', '0', '--model', TINY, '--max-streams', '1', '--max-message-kb', '64'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += String(c);
          const m = /open (http:\/\/\S+\/)/.exec(out);
          if (m) done(m[1]);
        });
        void exited.then(() => fail(new Error(`las serve exited before listening: ${stderr}`)));
      });
      const holder = await connect(url);
      holder.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
      await holder.waitFor((m) => m.type === 'ready');
      const refused = rawConnect(url);
      expect(await refused.status).toMatch(/ 101 /);
      refused.write(frame(OPCODE.binary, new Uint8Array(1 << 20)));
      await refused.closed;
      holder.ws.send(s16(Float32Array.from({ length: 8000 }, (_, i) => 0.2 * Math.sin(i / 7))));
      holder.sendJson({ type: 'stop' });
      await holder.waitFor((m) => m.type === 'done');
      expect((await fetch(new URL('/api/info', url))).status).toBe(200);
      holder.ws.close();
      await holder.closed;
      child.kill('SIGINT');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
