/** One CLI command: argument parsing only; the work is done by pipelines/ and src/. */
export interface Command {
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[]): Promise<number>;
}
