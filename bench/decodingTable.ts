import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModeName } from '../src/attention/index.ts';
import { DEFAULT_DECODING_OPTIONS } from '../src/decoding/index.ts';
import { loadModel } from '../src/offline/transcribe.ts';
import { benchModelDir } from './transcribe.ts';
import { encodeAll, readManifest, scoreSetting } from './evalDecoding.ts';

/**
 * The decoding table of README "Decoding" on the first 100 validation utterances (validation
 * voices only: the reserved test voices are never used here): greedy, attention-only beam, the
 * joint beam without the LM and the default (joint beam with the bundle's LM, if it has one) per mode, with WER, CER and CPU-time RTF. Skipped when the corpus
 * (made by the training recipe) is not there. The full table: bench/evalDecoding.ts.
 */
const VALIDATION = resolve(import.meta.dirname, '../training/work/corpus/validation.tsv');
const UTTERANCES = 100;

export async function benchDecodingTable(): Promise<{ name: string; value: number; unit: string }[]> {
  if (!existsSync(VALIDATION)) {
    console.log(`decoding table: skipped, ${VALIDATION} is made by the training recipe`);
    return [];
  }
  const { dir, trained } = benchModelDir();
  if (!trained) {
    console.log('decoding table: skipped, needs the trained bundle');
    return [];
  }
  const model = await loadModel(join(dir), { intraOpThreads: 1 });
  try {
    const encoded = await encodeAll(model, readManifest(VALIDATION, UTTERANCES));
    const rows: { name: string; value: number; unit: string }[] = [];
    const { beam, ctcWeight } = DEFAULT_DECODING_OPTIONS;
    const lmWeight = model.card.lm?.weight;
    const settings = [
      ['greedy', { beam: 1, ctcWeight: 0, lmWeight: 0 }],
      [`beam ${beam}, attention only`, { beam, ctcWeight: 0, lmWeight: 0 }],
      [`beam ${beam}, ctc ${ctcWeight}${lmWeight === undefined ? ' (default)' : ''}`, { beam, ctcWeight, lmWeight: 0 }],
      ...(lmWeight === undefined ? [] : ([[`beam ${beam}, ctc ${ctcWeight}, lm ${lmWeight} (default)`, { beam, ctcWeight, lmWeight }]] as const)),
    ] as const;
    for (const mode of ['global', 'local'] as ModeName[])
      for (const [name, options] of settings) {
        const r = await scoreSetting(model, encoded, { mode, ...options });
        const label = `${mode} ${name}, validation ${encoded.length} utts`;
        rows.push({ name: `${label} WER`, value: Number((100 * r.wer).toFixed(1)), unit: '%' });
        rows.push({ name: `${label} CER`, value: Number((100 * r.cer).toFixed(1)), unit: '%' });
        rows.push({ name: `${label} CPU RTF`, value: Number(r.cpuRtf.toFixed(4)), unit: 'x' });
      }
    return rows;
  } finally {
    await model.dispose();
  }
}
