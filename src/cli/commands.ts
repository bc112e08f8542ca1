import type { Command } from './command.ts';
import { probeCommand } from './probe.ts';
import { transcribeCommand } from './transcribe.ts';
import { compareCommand } from './compare.ts';
import { listenCommand } from './listen.ts';
import { serveCommand } from './serve.ts';
import { queueCommand } from './queue.ts';
import { workerCommand } from './worker.ts';

/** Every command, listed once. Modules are loaded lazily by each command's run(). */
export const COMMANDS = {
  transcribe: transcribeCommand,
  compare: compareCommand,
  listen: listenCommand,
  serve: serveCommand,
  probe: probeCommand,
  queue: queueCommand,
  worker: workerCommand,
} as const satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;
