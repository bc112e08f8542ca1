import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../../src/cli/defaultModel.ts';
import { REPORT_FILES } from '../../src/report/writeComparison.ts';
import { runCli, SAMPLES } from './runCli.ts';

/**
 * Pooled CER ceiling per attention mode on samples/ with the shipped trained model (greedy).
 * Measured with models/las-small (6,362 CPU steps, far from converged) on 2026-11-27:
 * `npx las compare samples/ --beam 1` gave pooled CER global 0.793, local 0.663 (the single
 * flite-kal-sentence clip: global 0.767). The ceilings sit just above those values so that a
 * regression in any stage fails; lower them whenever a better bundle lands.
 */
export const E2E_MAX_CER: Readonly<Record<'global' | 'local', number>> = { global: 0.81, local: 0.68 };

const scratch = mkdtempSync(join(tmpdir(), 'las-e2e-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Skipped only while the trained bundle is not in the tree.
describe.skipIf(!existsSync(DEFAULT_MODEL_DIR))('end to end on samples/ with the trained model', () => {
  it('transcribes every sample in both modes with CER under the threshold', async () => {
    const out = join(scratch, 'report');
    const run = await runCli(['compare', SAMPLES, '--out', out, '--beam', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8'));
    const refs = readFileSync(join(SAMPLES, 'refs.tsv'), 'utf8').trim().split('\n').length;
    for (const mode of ['global', 'local'] as const) {
      const summary = json.summaries.find((s: { mode: string }) => s.mode === mode);
      expect(summary.scored).toBe(refs);
      expect(summary.cer).toBeLessThan(E2E_MAX_CER[mode]);
    }
  }, 300_000);

  /**
   * Issue 9: the whole 39 s clip, in both modes, with the default decoding (joint CTC/attention,
   * cut at pauses). Measured with models/las-small on 2026-12-01: CER global 0.1145, local
   * 0.1115 (before, local mode returned only the first 3.5 s). Ceilings just above.
   */
  it.each([
    ['global', 0.125],
    ['local', 0.125],
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
    const run = await runCli(['transcribe', '--beam', '1', '--format', 'json', '--ref', join(SAMPLES, 'refs.tsv'), join(SAMPLES, 'flite-kal-sentence.wav')]);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout.split('\n')[0]);
    expect(record.score.cer).toBeLessThan(E2E_MAX_CER.global);
  });
});
