import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../../src/cli/defaultModel.ts';
import { loadModel, transcribe, type LoadedModel } from '../../src/offline/transcribe.ts';
import { checkSubtitles } from '../../src/report/subtitleCheck.ts';
import { formatTranscript } from '../../src/report/transcriptFormats.ts';
import { runCli, SAMPLES } from './runCli.ts';

const CLIPS = readdirSync(SAMPLES).filter((f) => f.endsWith('.wav')).sort();

/**
 * Issue 9's bar: SRT and VTT for every sample are valid, with no zero-length cue, in both modes
 * (src/report/subtitleCheck.ts). One transcription per clip and mode, with the default decoding
 * (and so the default timestamp source), formatted as `las transcribe --format srt|vtt` prints
 * it. The long-form set is checked by bench/subtitles.ts.
 */
describe.skipIf(!existsSync(DEFAULT_MODEL_DIR))('subtitles of every sample with the trained model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(DEFAULT_MODEL_DIR);
  });
  afterAll(async () => model?.dispose());

  it('finds the sample clips', () => {
    expect(CLIPS.length).toBeGreaterThanOrEqual(8);
  });

  describe.each(['global', 'local'] as const)('%s mode', (mode) => {
    it.each(CLIPS)('%s: valid SRT and VTT, words in order and inside the audio', async (clip) => {
      const result = await transcribe(join(SAMPLES, clip), { model, mode });
      const duration = result.timing.audioSeconds;
      expect(result.words.length).toBeGreaterThan(0);
      let previousEnd = 0;
      for (const w of result.words) {
        expect(w.start, w.word).toBeGreaterThanOrEqual(previousEnd);
        expect(w.end, w.word).toBeGreaterThan(w.start);
        expect(w.end, w.word).toBeLessThanOrEqual(duration);
        previousEnd = w.end;
      }
      for (const format of ['srt', 'vtt'] as const) {
        const check = checkSubtitles(format, formatTranscript(format, clip, result), duration);
        expect(check.problems, `${format}\n${formatTranscript(format, clip, result)}`).toEqual([]);
        expect(check.cues).toBeGreaterThan(0);
      }
    }, 120_000);
  });
});

describe.skipIf(!existsSync(DEFAULT_MODEL_DIR))('las transcribe --timestamps', () => {
  const words = async (source: string) => {
    const run = await runCli(['transcribe', '--timestamps', source, '--format', 'json', join(SAMPLES, 'flite-kal-sentence.wav')]);
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { words: { word: string; start: number; end: number }[] }).words;
  };

  it('chooses where word times come from: the same words, other times', async () => {
    const [ctc, attention] = [await words('ctc'), await words('attention')];
    expect(ctc.map((w) => w.word)).toEqual(attention.map((w) => w.word));
    expect(ctc.map((w) => [w.start, w.end])).not.toEqual(attention.map((w) => [w.start, w.end]));
  }, 60_000);

  it('refuses another source by name', async () => {
    const run = await runCli(['transcribe', '--timestamps', 'peaks', join(SAMPLES, 'flite-kal-sentence.wav')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timestamps/);
  });
});
