/**
 * Subtitle validity over a corpus manifest (the recipe's TSV: id, path, ...; paths relative to
 * the manifest's folder) or the WAV files of a folder: every file is transcribed once per
 * attention mode with the default decoding, printed as `las transcribe --format srt` and
 * `--format vtt` would print it, and checked by src/report/subtitleCheck.ts (syntax, numbering,
 * no zero-length cue, in order, not overlapping, inside the audio, text in every cue).
 *
 *   nice -n 15 npx tsx bench/subtitles.ts [training/work/corpus/longform.tsv | samples/] [--timestamps ctc|attention] \
 *     [--model DIR] [--json FILE]
 *
 * longform.tsv holds held-out voices: evaluation only, never for choosing a setting.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MODE_NAMES } from '../src/attention/index.ts';
import { DEFAULT_TIMESTAMPS, isTimestampSource, TIMESTAMP_SOURCES } from '../src/decoding/index.ts';
import { DEFAULT_MODEL_DIR } from '../src/cli/defaultModel.ts';
import { loadModel, transcribe } from '../src/offline/transcribe.ts';
import { checkSubtitles, type SubtitleFormat } from '../src/report/subtitleCheck.ts';
import { formatTranscript } from '../src/report/transcriptFormats.ts';

function inputFiles(input: string): string[] {
  if (statSync(input).isDirectory()) return readdirSync(input).filter((f) => f.endsWith('.wav')).sort().map((f) => join(input, f));
  const [header, ...rows] = readFileSync(input, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const pathCol = header.split('\t').indexOf('path');
  if (pathCol < 0) throw new Error(`${input}: no path column`);
  return rows.map((r) => resolve(dirname(input), r.split('\t')[pathCol]));
}

interface Row {
  mode: string;
  format: SubtitleFormat;
  files: number;
  valid: number;
  cues: number;
  zeroLength: number;
  problems: number;
  longestCue: number; // seconds
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: 'string', default: DEFAULT_MODEL_DIR }, json: { type: 'string' }, timestamps: { type: 'string', default: DEFAULT_TIMESTAMPS } },
  });
  const timestamps = values.timestamps;
  if (!isTimestampSource(timestamps)) throw new Error(`--timestamps must be one of ${TIMESTAMP_SOURCES.join(', ')}`);
  const input = resolve(positionals[0] ?? 'training/work/corpus/longform.tsv');
  const files = inputFiles(input);
  const model = await loadModel(values.model);
  const rows: Row[] = [];
  const failures: string[] = [];
  try {
    for (const mode of MODE_NAMES) {
      const byFormat = new Map<SubtitleFormat, Row>(
        (['srt', 'vtt'] as const).map((format) => [format, { mode, format, files: 0, valid: 0, cues: 0, zeroLength: 0, problems: 0, longestCue: 0 }]),
      );
      for (const [i, file] of files.entries()) {
        const result = await transcribe(file, { model, mode, timestamps });
        for (const [format, row] of byFormat) {
          const doc = formatTranscript(format, basename(file), result);
          const check = checkSubtitles(format, doc, result.timing.audioSeconds);
          row.files++;
          row.cues += check.cues;
          row.problems += check.problems.length;
          row.zeroLength += check.problems.filter((p) => /has no length/.test(p.message)).length;
          if (check.problems.length === 0) row.valid++;
          else failures.push(...check.problems.map((p) => `${mode} ${format} ${basename(file)}:${p.line}: ${p.message}`));
          for (const m of doc.matchAll(/(\d+):(\d\d):(\d\d)[,.](\d{3}) --> (\d+):(\d\d):(\d\d)[,.](\d{3})/g)) {
            const s = (o: number) => Number(m[o]) * 3600 + Number(m[o + 1]) * 60 + Number(m[o + 2]) + Number(m[o + 3]) / 1000;
            row.longestCue = Math.max(row.longestCue, s(5) - s(1));
          }
        }
        process.stderr.write(`\r${mode} ${i + 1}/${files.length}`);
      }
      rows.push(...byFormat.values());
    }
  } finally {
    await model.dispose();
  }
  process.stderr.write('\n');
  console.log(`${files.length} files from ${input}, ${timestamps} timestamps`);
  console.log('| mode | format | valid documents | cues | zero-length cues | problems | longest cue (s) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.mode} | ${r.format} | ${r.valid}/${r.files} | ${r.cues} | ${r.zeroLength} | ${r.problems} | ${r.longestCue.toFixed(2)} |`);
  for (const f of failures) console.log(f);
  if (values.json !== undefined) {
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify({ input, files: files.length, rows, failures }, null, 2)}\n`);
  }
  process.exitCode = failures.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
