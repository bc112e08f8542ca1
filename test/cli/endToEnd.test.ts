import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../../src/cli/defaultModel.ts';
import { charErrors } from '../../src/metrics/index.ts';
import { REPORT_FILES } from '../../src/report/writeComparison.ts';
import { runCli, SAMPLES } from './runCli.ts';

/**
 * Per-clip CER bars on samples/ with the shipped trained model and the default decoding (joint
 * CTC/attention, beam 8, ctc weight 0.3, the bundle's character LM at weight 0.3 with word and
 * OOV penalties 2, its word LM at 0.1), for each attention mode. Measured with models/las-small
 * of 2026-12-01, run 4, after the beam went to 8 (`las compare samples`), global / local:
 *   espeak-command, espeak-digits, espeak-digits-8k-ulaw 0 / 0; festival-kal-note 0.129 / 0.129;
 *   flite-awb-question 0.086 / 0.086; flite-kal-sentence 0.093 / 0.093; flite-slt-weather (the
 *   reserved test speaker slt, never trained on) 0.214 / 0.214 (0.286 at beam 4);
 *   longform-mixed 0.081 / 0.075.
 * Each bar is the measured value plus about 0.06, and the test checks that every bar stays well
 * below what trivial output scores on that clip (a constant word, letters replaced, a digit
 * string, nothing). The bars move down when a better bundle lands, never up.
 */
export const E2E_MAX_CER: Readonly<Record<string, Readonly<Record<'global' | 'local', number>>>> = {
  'espeak-command.wav': { global: 0.06, local: 0.06 },
  'espeak-digits.wav': { global: 0.06, local: 0.06 },
  'espeak-digits-8k-ulaw.wav': { global: 0.06, local: 0.06 },
  'festival-kal-note.wav': { global: 0.19, local: 0.19 },
  'flite-awb-question.wav': { global: 0.15, local: 0.15 },
  'flite-kal-sentence.wav': { global: 0.16, local: 0.16 },
  'flite-slt-weather.wav': { global: 0.28, local: 0.28 },
  'longform-mixed.wav': { global: 0.15, local: 0.15 },
};

/** A bar must beat every trivial output by this factor, or it tests nothing. */
const TRIVIAL_MARGIN = 0.8;

function trivialOutputs(reference: string): string[] {
  return ['the the the', 'one one one one one', '', reference.replace(/[a-z']/g, 'e')];
}

const scratch = mkdtempSync(join(tmpdir(), 'las-e2e-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Skipped only while the trained bundle is not in the tree.
describe.skipIf(!existsSync(DEFAULT_MODEL_DIR))('end to end on samples/ with the trained model', () => {
  it('every bar is well below what trivial output scores on its clip', () => {
    const refs = new Map(readFileSync(join(SAMPLES, 'refs.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]));
    expect([...refs.keys()].sort()).toEqual(Object.keys(E2E_MAX_CER).sort());
    for (const [clip, bars] of Object.entries(E2E_MAX_CER)) {
      const trivial = Math.min(...trivialOutputs(refs.get(clip)!).map((hyp) => charErrors(refs.get(clip)!, hyp).rate));
      for (const bar of Object.values(bars)) expect(bar, clip).toBeLessThan(TRIVIAL_MARGIN * trivial);
    }
  });

  it('transcribes every sample in both modes with the default decoding, each clip under its bar', async () => {
    const out = join(scratch, 'report');
    const run = await runCli(['compare', SAMPLES, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8')) as {
      utterances: { id: string; runs: { mode: 'global' | 'local'; cer: number }[] }[];
    };
    expect(json.utterances.map((u) => u.id).sort()).toEqual(Object.keys(E2E_MAX_CER).sort());
    for (const utterance of json.utterances) {
      expect(utterance.runs.map((r) => r.mode).sort()).toEqual(['global', 'local']);
      for (const r of utterance.runs) expect(r.cer, `${utterance.id} ${r.mode}`).toBeLessThan(E2E_MAX_CER[utterance.id]![r.mode]);
    }
  }, 300_000);

  /**
   * Issue 9: the whole 39 s clip, in both modes, with the default decoding (joint CTC/attention,
   * cut at pauses). Measured with models/las-small of 2026-12-01 (run 4, with its LMs, beam 8): CER
   * global 0.081, local 0.075 (beam 4: 0.086 and 0.084; run 3's bundle: 0.089 and 0.087; before issue 9, local mode returned only the first 3.5 s). Ceilings above.
   */
  it.each([
    ['global', E2E_MAX_CER['longform-mixed.wav']!.global],
    ['local', E2E_MAX_CER['longform-mixed.wav']!.local],
  ] as const)('transcribes every sentence of the 39 s long-form clip in %s mode', async (mode, maxCer) => {
    const run = await runCli(['transcribe', '--attention', mode, '--format', 'json', '--ref', join(SAMPLES, 'refs.tsv'), join(SAMPLES, 'longform-mixed.wav')]);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout.split('\n')[0]);
    expect(record.segments).toHaveLength(11); // 11 sentences, 0.44 s pauses between them
    for (const segment of record.segments) expect(segment.text).not.toBe('');
    expect(record.words.at(-1).start).toBeGreaterThan(record.segments.at(-1).start);
    expect(record.score.cer).toBeLessThan(maxCer);
  }, 120_000);

  it('transcribes one sample from the command line with the default model', async () => {
    const run = await runCli(['transcribe', '--format', 'json', '--ref', join(SAMPLES, 'refs.tsv'), join(SAMPLES, 'flite-kal-sentence.wav')]);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout.split('\n')[0]);
    expect(record.score.cer).toBeLessThan(E2E_MAX_CER['flite-kal-sentence.wav']!.global);
  });
});
