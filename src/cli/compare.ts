import { parseArgs } from 'node:util';
import { isModeName, type ModeName } from '../attention/index.ts';
import { DEFAULT_DECODING_OPTIONS, validateDecodingOptions } from '../decoding/options.ts';
import { ModelError } from '../errors.ts';
import type { Command } from './command.ts';
import { DEFAULT_MODEL_DIR } from './defaultModel.ts';
import { searchFlagFields, SEARCH_FLAG_OPTIONS } from './decodingFlags.ts';
import { sessionFlags, SESSION_FLAG_OPTIONS, usage, UsageError } from './flags.ts';

const DEFAULT_OUT_DIR = 'las-compare';
const DEFAULT_MODES = 'global,local';

const HELP = `Usage: las compare <manifest.tsv|dir> [options]

Runs every attention mode on the same audio and writes a report: DIR/report.md (a table per
mode: WER, CER, S/D/I, real-time factor, encoder frames attended per output token; the
attention alignment of the longest utterance in each mode side by side; WER against utterance
duration; a per-utterance table), the SVG pictures it shows, and DIR/report.json.

Input: a manifest, lines "path<TAB>transcript" (paths relative to the manifest, optional header
line), or a folder: every .wav inside it, with references from its refs.tsv when present.

Options:
  --modes a,b     attention modes to compare (default ${DEFAULT_MODES})
  --out DIR       report folder (default ./${DEFAULT_OUT_DIR})
  --beam N        beam width for every mode, 1 = greedy (default ${DEFAULT_DECODING_OPTIONS.beam})
  --ctc-weight X  CTC weight of joint CTC/attention decoding, 0..1 (default: las transcribe's)
  --lm-weight X   weight of the model's language model (shallow fusion), 0..10 (default: the
                  model's own, config.json lm.weight; 0 = off)
  --word-lm-weight X
                  weight of the model's word language model, scored at each word's end beside
                  the character LM, 0..10 (default: the model's own, config.json lm.word.weight;
                  0 = off)
  --threads N     ONNX threads per operator (default 1)
  --precision P   auto (default: the bundle's int8 graphs where it has them), int8 or float32
  --model DIR     model bundle (default ${DEFAULT_MODEL_DIR})

Exit codes: 0 report written, 1 an input or the model failed (the report still lists the
others), 2 bad usage.
`;

function parse(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...SEARCH_FLAG_OPTIONS, modes: { type: 'string' }, out: { type: 'string' }, ...SESSION_FLAG_OPTIONS, model: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give a manifest file or a folder of WAV files' : `give one manifest or folder, got ${positionals.length}`);
  const modes = (values.modes ?? DEFAULT_MODES).split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !isModeName(m));
  if (unknown.length > 0 || modes.length === 0) throw new UsageError(`--modes: unknown attention mode ${unknown.map((m) => JSON.stringify(m)).join(', ')} (valid: global, local)`);
  if (new Set(modes).size !== modes.length) throw new UsageError(`--modes lists a mode twice: ${modes.join(',')}`);
  const search = searchFlagFields(values);
  for (const mode of modes) validateDecodingOptions({ mode: mode as ModeName, ...search });
  return { input: positionals[0], modes: modes as ModeName[], search, session: sessionFlags(values), out: values.out ?? DEFAULT_OUT_DIR, model: values.model ?? DEFAULT_MODEL_DIR };
}

export const compareCommand: Command = {
  summary: 'compare attention modes on a manifest or folder: report.md with pictures',
  help: HELP,
  async run(args) {
    const parsed = usage('compare', () => parse(args));
    if (typeof parsed === 'number') return parsed;
    const [{ lastValueFrom }, { compareAttention }, report] = await Promise.all([import('rxjs'), import('../../pipelines/compare-attention.ts'), import('../report/index.ts')]);
    const entries = await report.readComparisonInput(parsed.input);
    const progress = report.createProgress(entries.length, process.stderr);
    let written;
    try {
      written = await lastValueFrom(
        compareAttention(entries, {
          model: parsed.model,
          sessionOptions: parsed.session,
          modes: parsed.modes,
          decoding: parsed.search,
          outDir: parsed.out,
          onUtterance: (item) => {
            if (!item.ok) {
              progress.done();
              process.stderr.write(`las compare: ${item.error.message}\n`);
            }
            progress.tick(item.id);
          },
        }),
      );
    } catch (err) {
      progress.done();
      if (err instanceof ModelError && err.code === 'MODEL_MISSING') {
        process.stderr.write(`las compare: ${err.message} (choose a model bundle with --model DIR)\n`);
        return 1;
      }
      throw err;
    }
    progress.done();
    const { comparison, dir } = written;
    process.stdout.write(`${report.summaryTable(comparison)}\n\nReport: ${dir}/report.md (${written.files.length} files)\n`);
    return comparison.failed.length > 0 ? 1 : 0;
  },
};
