import type { Command } from './command.ts';
import { scoreCommand } from './score.ts';
import { probeCommand } from './probe.ts';

/** Every command, listed once. Modules are loaded lazily by each command's run(). */
export const COMMANDS = {
  score: scoreCommand,
  probe: probeCommand,
} as const satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;
