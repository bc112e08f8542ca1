import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { ConfigError, ModelError } from '../../src/errors.ts';
import { createStreamingRecognizer } from '../../src/streaming/recognizer.ts';
import { loadModel, transcribe, type LoadedModel } from '../../src/offline/transcribe.ts';
import { runCli } from '../cli/runCli.ts';
import { TINY } from '../model/fixture.ts';

/** The tiny random bundle with the shipped LM (models/lm) added as the export adds it: lm.bin plus config.json's lm field. */
const LM_DIR = resolve(import.meta.dirname, '../../models/lm');
const SAMPLE = resolve(import.meta.dirname, '../../samples/flite-kal-sentence.wav');
/** The builder's tiny word LM (training/tests/test_word_lm.py): a dozen words, so weight moves a random model's text a lot. */
const WORD_LM = resolve(import.meta.dirname, '../cases/wordLm-tiny.bin');
let scratch: string;
let withLm: string;
let withWordLm: string;
let plain: LoadedModel;
let fused: LoadedModel;
let wordFused: LoadedModel;
const lmField = JSON.parse(readFileSync(join(LM_DIR, 'lm.json'), 'utf8')) as { weight: number; order: number; file: string };

function bundleWith(dir: string, lm: unknown): string {
  for (const f of ['encoder.onnx', 'decoder_step.onnx']) copyFileSync(join(TINY, f), join(dir, f));
  copyFileSync(join(LM_DIR, 'lm.bin'), join(dir, 'lm.bin'));
  const config = JSON.parse(readFileSync(join(TINY, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, lm }));
  return dir;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'las-lm-'));
  withLm = bundleWith(mkdtempSync(join(scratch, 'b')), { ...lmField, weight: 2 });
  withWordLm = bundleWith(mkdtempSync(join(scratch, 'w')), { ...lmField, weight: 2, word: { kind: 'word-ngram', file: 'word_lm.bin', weight: 1, order: 3 } });
  copyFileSync(WORD_LM, join(withWordLm, 'word_lm.bin'));
  plain = await loadModel(TINY);
  fused = await loadModel(withLm);
  wordFused = await loadModel(withWordLm);
});
afterAll(async () => {
  await plain?.dispose();
  await fused?.dispose();
  await wordFused?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a bundle with a language model', () => {
  it('loads it from config.json, and the card describes it', () => {
    expect(plain.lm).toBeUndefined();
    expect(fused.lm?.order).toBe(lmField.order);
    expect(fused.card.lm).toMatchObject({ kind: 'char-ngram', file: 'lm.bin', weight: 2 });
  });

  it.each(['global', 'local'] as const)('%s: lmWeight 0 transcribes exactly as the bundle without the LM; the default is the bundle weight', async (mode) => {
    const options = { mode, beam: 4, ctcWeight: 0.3, segmentation: false } as const;
    const without = await transcribe(SAMPLE, { ...options, model: plain });
    const off = await transcribe(SAMPLE, { ...options, model: fused, lmWeight: 0 });
    expect(off.text).toBe(without.text);
    expect(off.tokens).toEqual(without.tokens);
    const byDefault = await transcribe(SAMPLE, { ...options, model: fused });
    expect(byDefault.text).toBe((await transcribe(SAMPLE, { ...options, model: fused, lmWeight: 2 })).text);
    // A random acoustic model spells noise; weight 2 of an English LM makes it look more like text.
    expect(byDefault.text).not.toBe(without.text);
  });

  it('segmented transcription (the streaming recognizer) gets the weight too', async () => {
    const on = await transcribe(SAMPLE, { model: fused, mode: 'local', beam: 2, lmWeight: 2 });
    const off = await transcribe(SAMPLE, { model: fused, mode: 'local', beam: 2, lmWeight: 0 });
    expect(on.segments.length).toBeGreaterThan(0);
    expect(off.text).toBe((await transcribe(SAMPLE, { model: plain, mode: 'local', beam: 2 })).text);
    expect(on.text).not.toBe(off.text);
    // The penalties reach the final decode too: each equals the one-utterance decode of the
    // segment's audio (the cut keeps only 0.1 s of the leading pause) with the same values.
    const audio = await readWavFile(SAMPLE, { targetRate: 16000 });
    const texts = new Set<string>();
    for (const penalties of [{ wordPenalty: 0, oovPenalty: 0 }, { wordPenalty: 5, oovPenalty: 0 }, { wordPenalty: 0, oovPenalty: 5 }]) {
      const options = { model: fused, mode: 'global', beam: 2, lmWeight: 1, ...penalties } as const;
      const segmented = await transcribe(SAMPLE, options);
      expect(segmented.segments).toHaveLength(1);
      const [{ start, end }] = segmented.segments;
      const segment = { samples: audio.samples.subarray(Math.round(start * 16000), Math.round(end * 16000)), sampleRate: 16000 };
      expect(segmented.text).toBe((await transcribe(segment, { ...options, segmentation: false })).text);
      texts.add(segmented.text);
    }
    expect(texts.size).toBeGreaterThan(1); // the penalties change the text, so the equality says they arrived
  });

  it('a weight above 0 without an LM is a ConfigError naming lmWeight, offline and streaming', async () => {
    await expect(transcribe(SAMPLE, { model: plain, lmWeight: 0.5 })).rejects.toThrow(ConfigError);
    expect(() => createStreamingRecognizer(plain, { lmWeight: 0.5 })).toThrow(/lmWeight 0.5 needs a language model/);
    expect(() => createStreamingRecognizer(fused, { lmWeight: 11 })).toThrow(ConfigError);
    // The word LM's weight likewise, checked when the recognizer is made.
    expect(() => createStreamingRecognizer(fused, { wordLmWeight: 0.5 })).toThrow(/wordLmWeight 0.5 needs a word language model/);
    expect(() => createStreamingRecognizer(wordFused, { wordLmWeight: 11 })).toThrow(expect.objectContaining({ input: 'wordLmWeight' }));
    expect(() => createStreamingRecognizer(wordFused, { wordLmWeight: Number.NaN })).toThrow(ConfigError);
    await expect(transcribe(SAMPLE, { model: fused, wordLmWeight: 0.5 })).rejects.toThrow(ConfigError);
  });

  it('a missing or mismatched LM file fails the load, naming the file', async () => {
    const missing = mkdtempSync(join(scratch, 'm'));
    bundleWith(missing, { ...lmField, file: 'nothere.bin' });
    await expect(loadModel(missing)).rejects.toMatchObject({ code: 'MODEL_MISSING', input: join(missing, 'nothere.bin') });
    const wrongOrder = mkdtempSync(join(scratch, 'o'));
    bundleWith(wrongOrder, { ...lmField, order: lmField.order + 1 });
    await expect(loadModel(wrongOrder)).rejects.toThrow(ModelError);
  });
});

describe('CLI flags', () => {
  it.each([
    ['transcribe', ['transcribe', '--lm-weight', '11', 'a.wav'], /--lm-weight must be a number in 0\.\.10, got "11"/],
    ['transcribe', ['transcribe', '--lm-weight', 'lots', 'a.wav'], /--lm-weight must be a number/],
    ['listen', ['listen', '--ctc-weight', '1.5'], /--ctc-weight must be a number in 0\.\.1, got "1\.5"/],
    ['listen', ['listen', '--lm-weight', 'lots'], /--lm-weight must be a number/],
    ['transcribe', ['transcribe', '--word-lm-weight', '11', 'a.wav'], /--word-lm-weight must be a number in 0\.\.10, got "11"/],
    ['transcribe', ['transcribe', '--word-lm-weight', '10.5', 'a.wav'], /--word-lm-weight must be a number in 0\.\.10, got "10\.5"/],
    ['listen', ['listen', '--word-lm-weight', 'lots'], /--word-lm-weight must be a number/],
  ])('las %s: a bad weight is a usage error', async (_, args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('las transcribe --lm-weight reaches the decoder', async () => {
    // One at a time: runCli captures the process's stdout.
    const off = await runCli(['transcribe', '--model', withLm, '--lm-weight', '0', SAMPLE]);
    const on = await runCli(['transcribe', '--model', withLm, SAMPLE]);
    expect(off.code).toBe(0);
    expect(on.code).toBe(0);
    expect(off.stdout.trim()).toBe((await transcribe(SAMPLE, { model: plain })).text);
    expect(on.stdout.trim()).toBe((await transcribe(SAMPLE, { model: fused })).text);
    const noLm = await runCli(['transcribe', '--model', TINY, '--lm-weight', '0.5', SAMPLE]);
    expect(noLm.code).toBe(1);
    expect(noLm.stderr).toMatch(/needs a language model/);
  });

  it.each([['transcribe'], ['listen'], ['queue']])('las %s --help documents --word-lm-weight', async (command) => {
    const help = await runCli([command, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--word-lm-weight/);
  });

  it('las transcribe --word-lm-weight reaches the decoder', async () => {
    const text = async (args: string[]) => {
      const run = await runCli(['transcribe', '--model', withWordLm, ...args, SAMPLE]);
      expect(run.code).toBe(0);
      return run.stdout.trim();
    };
    const off = await text(['--word-lm-weight', '0']);
    expect(off).toBe((await transcribe(SAMPLE, { model: fused })).text); // exactly the character LM alone
    const on = await text(['--word-lm-weight', '2']);
    expect(on).toBe((await transcribe(SAMPLE, { model: wordFused, wordLmWeight: 2 })).text);
    expect(on).not.toBe(off);
    const byDefault = await text([]);
    expect(byDefault).toBe((await transcribe(SAMPLE, { model: wordFused, wordLmWeight: 1 })).text); // the bundle's lm.word.weight
    expect(byDefault).not.toBe(off);
    const noWordLm = await runCli(['transcribe', '--model', withLm, '--word-lm-weight', '0.5', SAMPLE]);
    expect(noWordLm.code).toBe(1);
    expect(noWordLm.stderr).toMatch(/wordLmWeight 0.5 needs a word language model/);
    const lmOff = await runCli(['transcribe', '--model', withWordLm, '--lm-weight', '0', '--word-lm-weight', '0.5', SAMPLE]);
    expect(lmOff.code).toBe(1);
    expect(lmOff.stderr).toMatch(/lmWeight 0 switches off/);
  });

  it('las listen --word-lm-weight reaches the final decode, and a bundle without a word LM refuses it at the start', async () => {
    const finals = async (args: string[], model = withWordLm) => {
      const run = await runCli(['listen', '--model', model, '--json', '--attention', 'global', '--input', SAMPLE, ...args]);
      expect(run.code).toBe(0);
      return run.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'final').map((e) => e.text).join(' ');
    };
    const off = await finals(['--word-lm-weight', '0']);
    expect(off).toBe(await finals([], withLm));
    expect(await finals(['--word-lm-weight', '2'])).not.toBe(off);
    const refused = await runCli(['listen', '--model', withLm, '--json', '--input', SAMPLE, '--word-lm-weight', '0.5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr + refused.stdout).toMatch(/needs a word language model/);
  });

  it.each([
    [['--lm-weight', '11'], /--lm-weight must be a number in 0\.\.10, got "11"/],
    [['--word-lm-weight', 'lots'], /--word-lm-weight must be a number in 0\.\.10, got "lots"/],
  ])('las compare %j is a usage error naming the flag', async (flags, message) => {
    const run = await runCli(['compare', SAMPLE, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('las compare --lm-weight and --word-lm-weight reach the decoder', async () => {
    writeFileSync(join(scratch, 'one.tsv'), `${SAMPLE}\tthe quick brown fox\n`);
    const text = async (model: string, args: string[]) => {
      const out = mkdtempSync(join(scratch, 'cmp'));
      const run = await runCli(['compare', join(scratch, 'one.tsv'), '--modes', 'global', '--model', model, '--out', out, ...args]);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { utterances: { runs: { text: string }[] }[] };
      return report.utterances[0].runs[0].text;
    };
    const lmOff = await text(withLm, ['--lm-weight', '0']);
    expect(lmOff).toBe((await transcribe(SAMPLE, { model: plain })).text);
    expect(await text(withLm, ['--lm-weight', '2'])).toBe((await transcribe(SAMPLE, { model: fused })).text);
    expect(await text(withLm, ['--lm-weight', '2'])).not.toBe(lmOff);
    const wordOff = await text(withWordLm, ['--word-lm-weight', '0']);
    expect(wordOff).toBe((await transcribe(SAMPLE, { model: fused })).text);
    const wordOn = await text(withWordLm, ['--word-lm-weight', '2']);
    expect(wordOn).toBe((await transcribe(SAMPLE, { model: wordFused, wordLmWeight: 2 })).text);
    expect(wordOn).not.toBe(wordOff);
  });

  it('las serve refuses an LM weight its bundle cannot apply before listening (exit 1)', async () => {
    const noLm = await runCli(['serve', '--port', '0', '--model', TINY, '--lm-weight', '0.5']);
    expect(noLm.code).toBe(1);
    expect(noLm.stderr).toMatch(/lmWeight 0.5 needs a language model/);
    expect(noLm.stdout).not.toMatch(/open http/);
    const noWordLm = await runCli(['serve', '--port', '0', '--model', withLm, '--word-lm-weight', '0.5']);
    expect(noWordLm.code).toBe(1);
    expect(noWordLm.stderr).toMatch(/wordLmWeight 0.5 needs a word language model/);
  });

  it('las listen --ctc-weight and --lm-weight reach the final decode', async () => {
    const finals = async (args: string[]) => {
      const run = await runCli(['listen', '--model', withLm, '--json', '--attention', 'global', '--input', SAMPLE, ...args]);
      expect(run.code).toBe(0);
      return run.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'final').map((e) => e.text).join(' ');
    };
    const off = await finals(['--ctc-weight', '0', '--lm-weight', '0']);
    expect(await finals(['--ctc-weight', '0', '--lm-weight', '2'])).not.toBe(off);
    expect(await finals(['--ctc-weight', '1', '--lm-weight', '0'])).not.toBe(off);
  });
});
