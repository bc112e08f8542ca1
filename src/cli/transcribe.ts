import { parseArgs } from 'node:util';
import { DEFAULT_DECODING_OPTIONS, type DecodingOptions } from '../decoding/options.ts';
import { ModelError } from '../errors.ts';
import type { SessionOptions } from '../model/sessionOptions.ts';
import { MAX_CONCURRENCY } from '../rx/concurrency.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/transcriptFormats.ts';
import type { Command } from './command.ts';
import { DEFAULT_MODEL_DIR } from './defaultModel.ts';
import { readFileList } from './fileList.ts';
import { DECODING_FLAG_OPTIONS, parseDecodingFlags } from './decodingFlags.ts';
import { choiceFlag, integerFlag, sessionFlags, SESSION_FLAG_HELP, SESSION_FLAG_OPTIONS, usage, UsageError } from './flags.ts';
import { expandInputs } from './inputs.ts';
import { readStdin } from './stdin.ts';

const HELP = `Usage: las transcribe <files...|folder|-> [options]

Transcribes WAV files (any rate, channels or PCM/float/G.711 encoding; a folder means every
*.wav directly inside it, scored against its refs.tsv when it has one; '-' reads one WAV from
stdin). A batch goes on past a bad file: each failure is reported by name, and the exit code is
1 if any input failed.

Options:
  --attention global|local  attention mode (default global: every frame; local: a window that
                            moves forward, for long recordings)
  --beam N                  beam width, 1 = greedy (default ${DEFAULT_DECODING_OPTIONS.beam})
  --ctc-weight X            weight of the CTC head in joint CTC/attention decoding, 0..1
                            (default ${DEFAULT_DECODING_OPTIONS.ctcWeight}; 0 = attention decoder only, the fastest
                            with --beam 1)
  --lm-weight X             weight of the model's character language model in shallow fusion,
                            0..10 (default: the model's own, config.json lm.weight; 0 = off)
  --word-lm-weight X        weight of the model's word language model, scored at each word's
                            end beside the character LM, 0..10 (default: the model's own,
                            config.json lm.word.weight; 0 = off; needs --lm-weight above 0)
  --left N, --right N       local window in encoder frames (40 ms) around the pointer
                            (default: the model's)
  --timestamps ctc|attention
                            where word times come from (default ctc: the CTC head's forced
                            alignment of the text, the closer to true word boundaries;
                            attention: each step's attention peak)
  --format text|json|srt|vtt
                            text (default): the transcript, "file<TAB>text" for several inputs;
                            json: one JSON object per input per line (JSONL) with word times,
                            timings and the real-time factor, or {file, error} for a failure;
                            srt / vtt: subtitles (one input, or use --out-dir)
  --out-dir DIR             write one file per input into DIR instead of stdout
  --files-from LIST         also transcribe the paths listed in LIST, one per line ('-': read
                            the list from stdin), for batches too long for a command line
  --ref refs.tsv            reference transcripts (file<TAB>transcript, matched by path or file
                            name): prints per-file and pooled WER/CER with S/D/I
${SESSION_FLAG_HELP}
  --jobs N                  files transcribed at once (default 1; more may reorder the output)
  --model DIR               model bundle (default ${DEFAULT_MODEL_DIR})

Exit codes: 0 all transcribed, 1 an input or the model failed, 2 bad usage.
`;

interface Parsed {
  readonly inputs: readonly string[];
  readonly format: OutputFormat;
  readonly decoding: DecodingOptions;
  readonly session: Partial<SessionOptions>;
  readonly jobs?: number;
  readonly model: string;
  readonly ref?: string;
  readonly outDir?: string;
}

function parse(args: readonly string[]): Parsed {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      ...DECODING_FLAG_OPTIONS,
      format: { type: 'string' },
      'out-dir': { type: 'string' },
      ref: { type: 'string' },
      ...SESSION_FLAG_OPTIONS,
      jobs: { type: 'string' },
      model: { type: 'string' },
      'files-from': { type: 'string' },
    },
  });
  const listFrom = values['files-from'];
  if (listFrom === '-' && positionals.includes('-')) throw new UsageError("'-' (stdin) cannot be both a WAV input and --files-from -");
  const given = [...positionals, ...(listFrom === undefined ? [] : readFileList(listFrom))];
  if (given.length === 0) throw new UsageError("no input files (give WAV paths, or '-' for stdin)");
  if (given.filter((p) => p === '-').length > 1) throw new UsageError("'-' (stdin) can be given only once");
  const { files, folderRefs } = expandInputs(given);
  const format = choiceFlag('format', values.format, OUTPUT_FORMATS) ?? 'text';
  if ((format === 'srt' || format === 'vtt') && files.length > 1 && values['out-dir'] === undefined)
    throw new UsageError(`--format ${format} makes one subtitle document per input; with ${files.length} inputs, add --out-dir DIR`);
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    inputs: files,
    format,
    decoding: parseDecodingFlags(values),
    session: sessionFlags(values),
    ...optional('jobs', integerFlag('jobs', values.jobs, 1, MAX_CONCURRENCY)),
    model: values.model ?? DEFAULT_MODEL_DIR,
    ...optional('ref', values.ref ?? folderRefs),
    ...optional('outDir', values['out-dir']),
  };
}

export const transcribeCommand: Command = {
  summary: 'transcribe WAV files (text, JSON lines, SRT or WebVTT)',
  help: HELP,
  async run(args) {
    const parsed = usage('transcribe', () => parse(args));
    if (typeof parsed === 'number') return parsed;
    const [{ lastValueFrom, concatMap, defaultIfEmpty }, { transcribeFiles }, report] = await Promise.all([
      import('rxjs'),
      import('../../pipelines/transcribe-files.ts'),
      import('../report/index.ts'),
    ]);
    const ids = parsed.inputs.map((p) => (p === '-' ? '<stdin>' : p));
    const references = parsed.ref === undefined ? undefined : await report.loadReferences(parsed.ref, ids);
    const sources = await Promise.all(parsed.inputs.map(async (p) => (p === '-' ? { id: '<stdin>', bytes: await readStdin() } : p)));
    const writer = report.createTranscriptWriter({
      format: parsed.format,
      ...(parsed.outDir === undefined ? {} : { outDir: parsed.outDir }),
      labelled: parsed.inputs.length > 1,
      scoring: references !== undefined,
      stdout: process.stdout,
      stderr: process.stderr,
      progress: report.createProgress(parsed.inputs.length, process.stderr),
      command: 'las transcribe',
    });
    const stream = transcribeFiles(sources, {
      model: parsed.model,
      sessionOptions: parsed.session,
      decoding: parsed.decoding,
      concurrency: parsed.jobs,
      ...(references === undefined ? {} : { references }),
    });
    try {
      await lastValueFrom(stream.pipe(concatMap((item) => writer.write(item)), defaultIfEmpty(undefined)));
    } catch (err) {
      writer.abort();
      if (err instanceof ModelError && err.code === 'MODEL_MISSING') {
        process.stderr.write(`las transcribe: ${err.message} (choose a model bundle with --model DIR)\n`);
        return 1;
      }
      throw err;
    }
    return writer.finish().failed > 0 ? 1 : 0;
  },
};
