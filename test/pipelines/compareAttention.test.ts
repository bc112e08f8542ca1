import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAttention } from '../../pipelines/compare-attention.ts';
import { readWavFile } from '../../src/audio/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { ok, type Item } from '../../src/util/item.ts';
import type { ModeResults } from '../../src/report/results.ts';
import { transcribeModes } from '../../src/rx/transcribeModes.ts';
import { loadModel, type LoadedModel } from '../../src/offline/transcribe.ts';
import { SAMPLES, TINY } from '../cli/runCli.ts';

let model: LoadedModel;
const scratch = mkdtempSync(join(tmpdir(), 'las-pipe-compare-'));
beforeAll(async () => {
  model = await loadModel(TINY);
});
afterAll(async () => {
  await model?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('transcribeModes operator', () => {
  it('runs every mode, in order, on the same audio', async () => {
    const audio = await readWavFile(join(SAMPLES, 'espeak-command.wav'));
    const [item] = await lastValueFrom(from([ok('c', audio)]).pipe(transcribeModes({ model, modes: ['local', 'global'], decoding: { beam: 1, returnAttention: true } }), toArray()));
    if (!item.ok) throw item.error;
    const { results, frameSeconds, model: name } = item.value;
    expect(name).toBe('tiny-random');
    expect(frameSeconds).toBeCloseTo(0.04, 12);
    expect(results.map((r) => r.mode)).toEqual(['local', 'global']);
    expect(new Set(results.map((r) => r.encoderFrames)).size).toBe(1);
    expect(new Set(results.map((r) => r.timing.audioSeconds)).size).toBe(1);
    for (const r of results) expect(r.attention?.cols).toBe(r.encoderFrames);
  });

  it('refuses no modes or a repeated mode when built', () => {
    expect(() => transcribeModes({ model, modes: [] })).toThrow(ConfigError);
    expect(() => transcribeModes({ model, modes: ['global', 'global'] })).toThrow(/listed twice/);
  });
});

describe('compare-attention pipeline', () => {
  it('emits once, after writing the report, and reports each utterance as it finishes', async () => {
    const seen: Item<ModeResults>[] = [];
    const entries = [
      { id: 'digits', path: join(SAMPLES, 'espeak-digits.wav'), transcript: 'three seven one nine four' },
      { id: 'missing', path: join(scratch, 'missing.wav'), transcript: 'x' },
      { id: 'fox', path: join(SAMPLES, 'flite-kal-sentence.wav') },
    ];
    const out = join(scratch, 'report');
    const emitted = await lastValueFrom(compareAttention(entries, { model, modes: ['global', 'local'], decoding: { beam: 1 }, outDir: out, onUtterance: (i) => seen.push(i) }).pipe(toArray()));
    expect(emitted).toHaveLength(1);
    const [{ comparison, files, dir }] = emitted;
    expect(dir).toBe(out);
    expect(seen.map((i) => [i.id, i.ok])).toEqual([['digits', true], ['missing', false], ['fox', true]]);
    expect(comparison.failed.map((f) => f.id)).toEqual(['missing']);
    expect(comparison.summaries.map((s) => [s.mode, s.utterances, s.scored])).toEqual([['global', 2, 1], ['local', 2, 1]]);
    expect(comparison.alignment?.id).toBe('fox');
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['attention-alignment.svg', 'report.json', 'report.md', 'wer-vs-duration.svg']);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).failed[0].id).toBe('missing');
  });
});
