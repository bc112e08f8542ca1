import { LasError } from '../errors.ts';
import { packageVersion } from '../packageRoot.ts';
import { COMMANDS, type CommandName } from './commands.ts';

export { exitQuietlyOnBrokenPipe } from './brokenPipe.ts';

const USAGE = `las - offline attention-based speech recognition (Listen, Attend and Spell)

Usage: las <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, cmd]) => `  ${name.padEnd(12)}${cmd.summary}`)
  .join('\n')}

Run 'las <command> --help' for the options of one command.
`;

/** Entry point of the `las` binary. Returns the process exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!(name in COMMANDS)) {
    process.stderr.write(`las: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  const command = COMMANDS[name as CommandName];
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    // Usage and input errors are reported in one line; anything else is a bug and keeps its stack.
    if (err instanceof LasError) process.stderr.write(`las ${name}: ${err.message}\n`);
    else if (isParseArgsError(err)) process.stderr.write(`las ${name}: ${err.message}\n`);
    else process.stderr.write(`las ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return err instanceof LasError ? 1 : 2;
  }
}

/** util.parseArgs usage errors (unknown option, missing value...) are one-line usage errors. */
function isParseArgsError(err: unknown): err is TypeError {
  return err instanceof TypeError && String((err as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_');
}
