import { parseArgs } from 'node:util';
import { MODE_NAMES } from '../attention/types.ts';
import { DEFAULT_DECODING_OPTIONS } from '../decoding/options.ts';
import { validateServerOptions, type ServerOptions } from '../server/options.ts';
import { DEFAULT_STREAMING_OPTIONS } from '../streaming/options.ts';
import { PARTIAL_SOURCES } from '../streaming/partialSource.ts';
import type { Command } from './command.ts';
import { searchFlagFields, SEARCH_FLAG_OPTIONS } from './decodingFlags.ts';
import { DEFAULT_MODEL_DIR } from './defaultModel.ts';
import { choiceFlag, integerFlag, usage, UsageError } from './flags.ts';

const HELP = `Usage: las serve [options]

Serves a web page that records the microphone in the browser and shows the text while you
speak, with a live picture of the attention window moving over the audio. One model serves
every browser tab. Recognition runs in a child process started with settings that keep its
memory flat (LAS_SERVE_NO_TUNING=1: in this process, with node's defaults). Stop with Ctrl+C.

Options:
  --port N              TCP port (default 8080; 0 picks a free one)
  --host H              interface to listen on (default 127.0.0.1: this computer only).
                        Browsers allow the microphone only on https or localhost pages.
  --model DIR           model bundle (default ${DEFAULT_MODEL_DIR})
  --attention local|global
                        the page's default attention mode (default local)
  --partials attention|triggered|ctc
                        where local-mode partial text comes from, for every stream (default
                        ${DEFAULT_STREAMING_OPTIONS.partialSource}; as las listen --partials): attention: the greedy attention
                        decoder; triggered: those, then at once an attention step for each
                        character the CTC head has heard past the pointer; ctc: the CTC head's
                        greedy transcript. Finals are the same
  --beam N              beam width of each final's decode (default ${DEFAULT_STREAMING_OPTIONS.beam}, as las transcribe)
  --ctc-weight X        weight of the CTC head in each final's joint decode, 0..1 (default ${DEFAULT_DECODING_OPTIONS.ctcWeight})
  --lm-weight X         weight of the model's language model in each final's decode (default:
                        the model's own, config.json lm.weight; 0 = off)
  --word-lm-weight X    weight of the model's word language model in each final's decode,
                        0..10 (default: the model's own, config.json lm.word.weight; 0 = off)
  --max-streams N       streams recognised at once (default 4)
  --idle-timeout S      close a connection silent for S seconds (default 30)
  --max-message-kb N    largest WebSocket message in KiB (default 256)
  --allow-host A,B      host names the browser may use besides the listening address and
                        localhost (requests for any other Host are refused: DNS rebinding)

Exit codes: 0 stopped, 1 the model or the port failed, 2 bad usage.
`;

/** `las serve`'s arguments as the model folder and the server's options (UsageError for bad ones). Exported for tests. */
export function parseServeArgs(args: readonly string[]): { model: string; server: Partial<ServerOptions> } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...SEARCH_FLAG_OPTIONS,
      partials: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      model: { type: 'string' },
      attention: { type: 'string' },
      'max-streams': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-message-kb': { type: 'string' },
      'allow-host': { type: 'string' },
    },
  });
  const idle = integerFlag('idle-timeout', values['idle-timeout'], 1, 86_400);
  const kib = integerFlag('max-message-kb', values['max-message-kb'], 1, 65_536);
  if (values.host !== undefined && values.host.trim() === '') throw new UsageError('--host must not be empty');
  const server: Partial<ServerOptions> = {
    port: integerFlag('port', values.port, 0, 65535),
    host: values.host,
    maxStreams: integerFlag('max-streams', values['max-streams'], 1, 1000),
    idleTimeoutMs: idle === undefined ? undefined : idle * 1000,
    maxMessageBytes: kib === undefined ? undefined : kib * 1024,
    allowedHosts: values['allow-host']?.split(',').map((h) => h.trim()),
    // Every stream's; a start message may choose only the mode.
    recognition: {
      mode: choiceFlag('attention', values.attention, MODE_NAMES) ?? 'local',
      partialSource: choiceFlag('partials', values.partials, PARTIAL_SOURCES),
      ...searchFlagFields(values),
    },
  };
  validateServerOptions(server);
  return { model: values.model ?? DEFAULT_MODEL_DIR, server };
}

/** Whether this is the server child that bin/serveTuning.js starts, with an IPC channel to its parent. */
function isServeChild(): boolean {
  return process.env.LAS_SERVE_CHILD === '1' && process.channel !== undefined;
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP, or, in the server child, when the parent's
 * IPC channel disconnects (the parent was killed, even with SIGKILL).
 * The handlers stay installed until the process ends, so a repeated signal is ignored (a second
 * Ctrl+C while it stops). The server child gets its stop signals only from its parent
 * (bin/serveTuning.js), which has it in a session of its own and forwards the first one only.
 */
function stopRequested(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
    if (isServeChild()) process.once('disconnect', stop);
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const serveCommand: Command = {
  summary: 'serve a web page that transcribes the microphone live',
  help: HELP,
  async run(args) {
    // The parent's channel must not keep this process alive once it has finished (or failed).
    if (isServeChild()) process.channel!.unref();
    const parsed = usage('serve', () => parseServeArgs(args));
    if (typeof parsed === 'number') return parsed;
    const [{ loadModel }, { startServer }] = await Promise.all([import('../offline/transcribe.ts'), import('../server/server.ts')]);
    const model = await loadModel(parsed.model);
    let server;
    try {
      server = await startServer(model, parsed.server, undefined, (m) => process.stderr.write(`las serve: ${m}\n`));
    } catch (error) {
      await model.dispose();
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
        process.stderr.write(`las serve: cannot listen on ${parsed.server.host ?? '127.0.0.1'}:${parsed.server.port ?? 8080} (${e.code})\n`);
        return 1;
      }
      throw error;
    }
    // Listen for the stop before saying where to connect: whoever reads that line may signal at once.
    const stopped = stopRequested();
    process.stdout.write(`las serve: open ${server.url} (model ${model.card.name}; Ctrl+C stops)\n`);
    if (parsed.server.host !== undefined && !LOOPBACK.has(parsed.server.host))
      process.stderr.write('las serve: reachable from other machines; their browsers allow the microphone only over https (use a TLS proxy)\n');
    try {
      await stopped;
      // close() returns once no inference is running, so the sessions are free to release.
      await server.close();
    } finally {
      await model.dispose();
    }
    return 0;
  },
};
