import type { Command } from './command.ts';
export const probeCommand: Command = { summary: 'placeholder', help: 'x\n', run: async () => 0 };
