import { parseArgs } from 'node:util';
import type { Command } from './command.ts';

const HELP = `Usage: las probe <file.wav...> [--json]

Checks each WAV file's structure (RIFF chunks, format, sizes) without decoding the samples and
prints its format, channels, rate, bit depth and duration. A file that would not decode gets a
one-line error naming it; the others are still probed. Exit code 1 if any file failed.
`;

export const probeCommand: Command = {
  summary: 'inspect WAV files: format, channels, rate, duration',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    if (positionals.length === 0) {
      process.stderr.write('las probe: no input files\n');
      return 2;
    }
    const { probeWavFile } = await import('../audio/index.ts');
    let failures = 0;
    for (const file of positionals) {
      try {
        const info = await probeWavFile(file);
        if (values.json) process.stdout.write(`${JSON.stringify({ file, ...info })}\n`);
        else
          process.stdout.write(
            `${file}: ${info.format}, ${info.channels} ch, ${info.sampleRate} Hz, ${info.bitsPerSample} bit, ${info.durationSeconds.toFixed(3)} s\n`,
          );
      } catch (err) {
        failures++;
        const e = err as { code?: string; message?: string };
        if (values.json) process.stdout.write(`${JSON.stringify({ file, error: { code: e.code, message: e.message } })}\n`);
        else process.stderr.write(`las probe: ${e.message}\n`);
      }
    }
    return failures > 0 ? 1 : 0;
  },
};
