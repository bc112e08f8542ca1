import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DECODING_OPTIONS } from '../decoding/options.ts';
import { LasError } from '../errors.ts';
import { dropClosedConnectionFlushes } from '../queue/closedFlush.ts';
import { parseManifest } from '../report/manifest.ts';
import type { OutputFormat } from '../report/transcriptFormats.ts';
import type { Command } from './command.ts';
import { DECODING_FLAG_OPTIONS, parseDecodingFlags } from './decodingFlags.ts';
import { readFileList } from './fileList.ts';
import { choiceFlag, integerFlag, usage, UsageError } from './flags.ts';
import { expandInputs } from './inputs.ts';

const HELP = `Usage: las queue add <files...|folder|manifest.tsv> [options]
       las queue status [options]
       las queue results [--format json|srt|vtt] [--out-dir DIR] [options]

A Redis-backed job queue (BullMQ) for batches past one process: 'queue add' queues one job per
input, 'las worker' processes (on any machine that reaches Redis), 'queue status' and 'queue
results' read progress and results back.

Every subcommand:
  --redis URL               redis://[user:password@]host:port[/db], rediss:// for TLS; default
                            $LAS_REDIS_URL (keeps a password out of the process list)
  --queue NAME              queue name (default las-transcribe; one queue per model bundle)

queue add: one job per WAV (a folder: its *.wav; a .tsv manifest: the paths it lists). An
input already queued or done under the same content and options is skipped. Prints how many
inputs were queued and how many skipped.
  --attention, --beam, --ctc-weight, --lm-weight, --word-lm-weight, --left, --right
                            decoding options, as for las transcribe (default beam ${DEFAULT_DECODING_OPTIONS.beam},
                            CTC weight ${DEFAULT_DECODING_OPTIONS.ctcWeight})
  --timestamps ctc|attention
                            where word times come from, as for las transcribe (default
                            ${DEFAULT_DECODING_OPTIONS.timestamps}); part of the job id, like the decoding options
  --subtitles srt,vtt       also store subtitles with each result
  --bytes                   carry each file's bytes in the job (at most 8 MiB a file), for workers
                            without the shared storage; default: its absolute path
  --attempts N              tries for a transient failure (default 3; a corrupt file gets one)
  --retry-failed            put inputs whose job failed back in the queue (default: skipped)
  --files-from LIST         also queue the paths listed in LIST, one per line ('-': stdin)

queue status: jobs waiting, active, retrying, done and failed; audio hours done; throughput.
  --json                    one JSON object instead of text

queue results: every result (JSONL: the records of 'las transcribe --format json'), and every
failed job as {file, error: {code, message}}.
  --format json|srt|vtt     srt / vtt: the subtitles stored (queue add --subtitles)
  --out-dir DIR             one file per input in DIR instead of stdout

Exit codes: 0 done, 1 an input, a job or Redis failed, 2 bad usage.
`;

const COMMON = {
  redis: { type: 'string' },
  queue: { type: 'string' },
} as const;

function target(values: { redis?: string; queue?: string }): { redis: string; queue?: string } {
  const redis = values.redis ?? process.env.LAS_REDIS_URL;
  if (redis === undefined || redis === '') throw new UsageError('no Redis: give --redis URL or set LAS_REDIS_URL');
  return { redis, ...(values.queue === undefined ? {} : { queue: values.queue }) };
}

/** Files, folders (their *.wav) and .tsv manifests (the paths they list) as one list of files. */
function queueInputs(given: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of given) {
    if (/\.tsv$/i.test(input) && existsSync(input) && statSync(input).isFile()) {
      out.push(...manifestPaths(input));
      continue;
    }
    out.push(...expandInputs([input]).files);
  }
  return out;
}

/** A manifest as las compare reads it (path<TAB>transcript, paths relative to the manifest's folder). */
const manifestPaths = (path: string): string[] => parseManifest(readFileSync(path, 'utf8'), path).map((entry) => entry.path);

/** `las queue add`'s arguments as the inputs and what to queue them with (UsageError for bad ones). Exported for tests. */
export function parseQueueAddArgs(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...COMMON, ...DECODING_FLAG_OPTIONS, subtitles: { type: 'string' }, bytes: { type: 'boolean' }, 'retry-failed': { type: 'boolean' }, attempts: { type: 'string' }, 'files-from': { type: 'string' } },
  });
  const listed = values['files-from'] === undefined ? [] : readFileList(values['files-from']);
  const given = [...positionals, ...listed];
  if (given.length === 0) throw new UsageError('no inputs (give WAV files, a folder or a manifest .tsv)');
  if (given.includes('-')) throw new UsageError("'-' (stdin) cannot be queued: queue a file");
  const subtitles = values.subtitles === undefined ? [] : values.subtitles.split(',').map((f) => choiceFlag('subtitles', f.trim(), ['srt', 'vtt'] as const)!);
  return {
    target: target(values),
    inputs: queueInputs(given),
    decoding: parseDecodingFlags(values), // enqueue keeps the fields a job carries
    formats: subtitles,
    carry: values.bytes === true ? ('bytes' as const) : ('path' as const),
    retryFailed: values['retry-failed'] === true,
    ...(values.attempts === undefined ? {} : { attempts: integerFlag('attempts', values.attempts, 1, 100)! }),
  };
}

async function add(args: readonly string[]): Promise<number> {
  const parsed = usage('queue add', () => parseQueueAddArgs(args));
  if (typeof parsed === 'number') return parsed;
  const { enqueue } = await import('../queue/enqueue.ts');
  const summary = await enqueue(parsed.inputs, { ...parsed.target, decoding: parsed.decoding, formats: parsed.formats, carry: parsed.carry, retryFailed: parsed.retryFailed, ...(parsed.attempts === undefined ? {} : { attempts: parsed.attempts }) });
  for (const err of summary.failed) process.stderr.write(`las queue add: ${err.message}\n`);
  process.stdout.write(`queued ${summary.queued.length}, skipped ${summary.skipped.length} (already queued or done)${summary.retried.length > 0 ? `, retried ${summary.retried.length} failed` : ''}${summary.failed.length > 0 ? `, ${summary.failed.length} unreadable` : ''}\n`);
  return summary.failed.length > 0 ? 1 : 0;
}

async function status(args: readonly string[]): Promise<number> {
  const parsed = usage('queue status', () => {
    const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...COMMON, json: { type: 'boolean' } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    return { target: target(values), json: values.json === true };
  });
  if (typeof parsed === 'number') return parsed;
  const { queueStatus } = await import('../queue/status.ts');
  const s = await queueStatus(parsed.target);
  if (parsed.json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return 0;
  }
  const t = s.throughput;
  process.stdout.write(
    `waiting ${s.waiting}, active ${s.active}, retrying ${s.retrying}, done ${s.done}, failed ${s.failed}\n` +
      `audio done ${s.audioHoursDone.toFixed(3)} h` +
      (t === undefined ? '\n' : `; throughput ${t.audioHoursPerHour.toFixed(2)} audio hours per hour, ${Math.round(t.filesPerHour)} files per hour (over ${t.wallSeconds.toFixed(1)} s)\n`),
  );
  return 0;
}

async function results(args: readonly string[]): Promise<number> {
  const parsed = usage('queue results', () => {
    const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { ...COMMON, format: { type: 'string' }, 'out-dir': { type: 'string' } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const format = choiceFlag('format', values.format, ['json', 'srt', 'vtt'] as const) ?? 'json';
    return { target: target(values), format, ...(values['out-dir'] === undefined ? {} : { outDir: values['out-dir'] }) };
  });
  if (typeof parsed === 'number') return parsed;
  const [{ iterateResults }, { createOutputNamer }] = await Promise.all([import('../queue/results.ts'), import('../report/transcriptWriter.ts')]);
  const { format, outDir } = parsed;
  const namer = outDir === undefined ? undefined : createOutputNamer(outDir, format as OutputFormat);
  if (outDir !== undefined) await mkdir(resolve(outDir), { recursive: true });
  let missing = 0;
  let failed = 0;
  // Subtitles on stdout are one document: the first is held until it is clear that it is the only one.
  let held: string | undefined;
  for await (const item of iterateResults(parsed.target)) {
    if ('failure' in item) {
      failed++;
      const f = item.failure.record;
      // Failures are listed as las transcribe lists them: a JSON record on stdout, else a line on stderr.
      if (format === 'json' && outDir === undefined) process.stdout.write(`${JSON.stringify(f)}\n`);
      else process.stderr.write(`las queue results: ${f.file}: ${f.error.code}: ${f.error.message}\n`);
      continue;
    }
    const r = item.result;
    const content = format === 'json' ? `${JSON.stringify(r.record)}\n` : r[format];
    if (content === undefined) {
      missing++;
      process.stderr.write(`las queue results: ${r.record.file}: no ${format} stored (queue it with --subtitles ${format})\n`);
    } else if (namer !== undefined) {
      const path = namer(r.record.file);
      await writeFile(path, content).catch((cause: Error) => {
        throw new LasError('WRITE_FAILED', `cannot write (${cause.message})`, path, { cause });
      });
    } else if (format === 'json') process.stdout.write(content);
    else if (held === undefined) held = content;
    else {
      process.stderr.write(`las queue results: --format ${format} makes one subtitle document per input; with several results, add --out-dir DIR\n`);
      return 2;
    }
  }
  if (held !== undefined) process.stdout.write(held);
  return failed > 0 || missing > 0 ? 1 : 0;
}

const SUBCOMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = { add, status, results };

export const queueCommand: Command = {
  summary: 'queue batches in Redis (add, status, results) for las worker',
  help: HELP,
  async run(args) {
    dropClosedConnectionFlushes(); // BullMQ's closing can leave one unawaited (src/queue/closedFlush.ts)
    const [sub, ...rest] = args;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (run === undefined) {
      process.stderr.write(`las queue: ${sub === undefined ? 'missing' : `unknown`} subcommand${sub === undefined ? '' : ` '${sub}'`}; one of ${Object.keys(SUBCOMMANDS).join(', ')}\n`);
      return 2;
    }
    return run(rest);
  },
};
