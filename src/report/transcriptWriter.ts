import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { LasError } from '../errors.ts';
import { formatReport, type UtteranceScore } from '../metrics/index.ts';
import type { Item } from '../util/item.ts';
import type { ScoredResult } from './results.ts';
import type { Progress } from './progress.ts';
import { FORMAT_EXTENSION, failureRecord, formatTranscript, type OutputFormat } from './transcriptFormats.ts';

/** Anything with a write(string): process.stdout, process.stderr, a test buffer. */
export interface TextSink {
  write(chunk: string): unknown;
}

export interface TranscriptWriterOptions {
  readonly format: OutputFormat;
  /** One file per input in this folder instead of stdout. */
  readonly outDir?: string;
  /** Prefix text lines with the file name (a batch). */
  readonly labelled: boolean;
  /** Whether references were given: then per-file and pooled scores are printed at the end. */
  readonly scoring: boolean;
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly progress: Progress;
  /** Names the command in stderr lines. */
  readonly command: string;
}

export interface WriterSummary {
  readonly succeeded: number;
  readonly failed: number;
  readonly scored: readonly UtteranceScore[];
}

/**
 * One output file per input in `outDir` (`--out-dir`): the input's file name with the format's
 * extension, and `-2`, `-3`... for a name already given out (two inputs called a.wav).
 */
export function createOutputNamer(outDir: string, format: OutputFormat): (id: string) => string {
  const usedNames = new Set<string>();
  return (id) => {
    const stem = id === '<stdin>' ? 'stdin' : basename(id, extname(id));
    let name = `${stem}${FORMAT_EXTENSION[format]}`;
    for (let k = 2; usedNames.has(name); k++) name = `${stem}-${k}${FORMAT_EXTENSION[format]}`;
    usedNames.add(name);
    return join(resolve(outDir), name);
  };
}

/**
 * Where `las transcribe` output goes: transcripts to stdout (or one file per input), failures
 * to stderr as one line (or, in JSON, as a `{file, error}` record on stdout so the JSONL has one
 * line per input), and the WER/CER table at the end when references were given.
 */
export function createTranscriptWriter(o: TranscriptWriterOptions) {
  let succeeded = 0;
  let failed = 0;
  let audioSeconds = 0;
  const scored: UtteranceScore[] = [];
  const unscored: string[] = [];
  const outputPath = createOutputNamer(o.outDir ?? '.', o.format);

  const emit = async (id: string, content: string) => {
    if (o.outDir === undefined) {
      o.progress.done();
      o.stdout.write(content);
      return;
    }
    const path = outputPath(id);
    try {
      await mkdir(resolve(o.outDir), { recursive: true });
      await writeFile(path, content);
    } catch (cause) {
      throw new LasError('WRITE_FAILED', `cannot write (${(cause as Error).message})`, path, { cause });
    }
  };

  return {
    async write(item: Item<ScoredResult>): Promise<void> {
      if (item.ok) {
        succeeded++;
        const { result, score } = item.value;
        audioSeconds += result.timing.audioSeconds;
        if (score !== undefined) scored.push(score);
        else unscored.push(item.id);
        // A file of its own (--out-dir) holds only the transcript: its name already says which input it is.
        await emit(item.id, formatTranscript(o.format, item.id, result, { ...(score === undefined ? {} : { score }), labelled: o.labelled && o.outDir === undefined }));
      } else {
        failed++;
        o.progress.done();
        if (o.format === 'json' && o.outDir === undefined) o.stdout.write(`${JSON.stringify(failureRecord(item.id, item.error))}\n`);
        else o.stderr.write(`${o.command}: ${item.error.message}\n`);
      }
      o.progress.tick(item.id);
    },

    /** Clears the progress bar when the stream ended in error. */
    abort(): void {
      o.progress.done();
    },

    /** Prints the scores (text: stdout after the transcripts; other formats: stderr). */
    finish(): WriterSummary {
      o.progress.summary({ command: o.command, files: succeeded + failed, failed, audioSeconds });
      if (o.scoring) {
        const sink = o.format === 'text' && o.outDir === undefined ? o.stdout : o.stderr;
        if (scored.length > 0) sink.write(`\n${formatReport(scored)}`);
        if (unscored.length > 0) o.stderr.write(`${o.command}: no reference transcript for ${unscored.join(', ')} (not scored)\n`);
      }
      return { succeeded, failed, scored };
    },
  };
}
