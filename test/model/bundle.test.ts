import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ModelError } from '../../src/errors.ts';
import { CONTRACT_VOCAB, DEFAULT_SESSION_OPTIONS, loadBundle, validateSessionOptions } from '../../src/model/index.ts';
import { copyBundle, TINY } from './fixture.ts';

const SHIPPED = join(import.meta.dirname, '../../models/las-small');

/** Loads `dir` expecting a ModelError; returns it for the code and input checks. */
async function loadError(dir: string, options = {}): Promise<ModelError> {
  try {
    const model = await loadBundle(dir, options);
    await model.dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error(`${dir} loaded, expected a ModelError`);
}

/** A copy of the tiny bundle with config.json edited must fail with `code`, naming config.json or `file`. */
async function expectConfigRejected(edit: (c: Record<string, any>) => void, code: string, message: RegExp, file = 'config.json'): Promise<void> {
  const { dir, cleanup } = copyBundle(edit);
  try {
    const e = await loadError(dir);
    expect(e.code).toBe(code);
    expect(e.input).toBe(join(dir, file));
    expect(e.message).toMatch(message);
  } finally {
    cleanup();
  }
}

describe('loadBundle', () => {
  it('loads the tiny bundle and reports its card', async () => {
    const model = await loadBundle(TINY);
    try {
      expect(model.config.vocab.tokens).toEqual(CONTRACT_VOCAB);
      expect(model.config.subsampling).toBe(4);
      expect(model.config.attention.modes).toEqual(['global', 'local']);
      expect(model.config.normStats.mean.length).toBe(80);
      expect(model.card.name).toBe('tiny-random');
      expect(model.card.vocabSize).toBe(31);
      // The widths the config declares are those the graphs produce.
      const cfg = model.config;
      expect(model.card.dims).toEqual({ featureDim: 80, memoryDim: cfg.encoder.hidden, keyDim: cfg.encoder.attentionDim, decoderStateDim: cfg.decoder.hidden });
      expect(model.card.encoderStates.map((s) => s.name)).toEqual(cfg.encoder.states.map((s) => s.input));
      expect(model.sessionOptions).toEqual(DEFAULT_SESSION_OPTIONS);
    } finally {
      await model.dispose();
    }
  });

  it('names a missing directory', async () => {
    const e = await loadError('/no/such/bundle');
    expect(e.code).toBe('MODEL_MISSING');
    expect(e.input).toBe('/no/such/bundle');
  });

  it.each([['config.json'], ['encoder.onnx'], ['decoder_step.onnx']])('names a missing %s', async (file) => {
    const { dir, cleanup } = copyBundle();
    try {
      rmSync(join(dir, file));
      const e = await loadError(dir);
      expect(e.code).toBe('MODEL_MISSING');
      expect(e.input).toBe(join(dir, file));
    } finally {
      cleanup();
    }
  });

  it('names corrupt JSON', async () => {
    const { dir, cleanup } = copyBundle();
    try {
      writeFileSync(join(dir, 'config.json'), '{ "vocab": [');
      const e = await loadError(dir);
      expect(e.code).toBe('MODEL_CORRUPT');
      expect(e.input).toBe(join(dir, 'config.json'));
    } finally {
      cleanup();
    }
  });

  it.each([['encoder.onnx'], ['decoder_step.onnx']])('names a corrupt %s', async (file) => {
    const { dir, cleanup } = copyBundle();
    try {
      writeFileSync(join(dir, file), Buffer.from('this is not a protobuf at all'));
      const e = await loadError(dir);
      expect(e.code).toBe('MODEL_CORRUPT');
      expect(e.input).toBe(join(dir, file));
    } finally {
      cleanup();
    }
  });

  it.each([
    ['a missing field', (c: any) => delete c.attention, /lacks the required field "attention"/],
    ['a short vocab', (c: any) => c.vocab.pop(), /vocab must be an array of 31/],
    ['a misplaced special token', (c: any) => ([c.vocab[1], c.vocab[2]] = [c.vocab[2], c.vocab[1]]), /vocab\[1\] must be "<sos>"/],
    ['a multi-character token', (c: any) => (c.vocab[5] = 'ab'), /one character/],
    ['a duplicate token', (c: any) => (c.vocab[6] = 'a'), /duplicate/],
    ['short normStats', (c: any) => c.normStats.std.pop(), /normStats: std has 79 values/],
    ['a zero std', (c: any) => (c.normStats.std[3] = 0), /std\[3\]/],
    ['a bad front end', (c: any) => (c.frontEnd.nFft = 300), /frontEnd: nFft/],
    ['a negative window', (c: any) => (c.attention.left = -1), /attention.left/],
    ['an unknown mode', (c: any) => c.attention.modes.push('chunkwise'), /unknown mode "chunkwise"/],
    ['no modes', (c: any) => (c.attention.modes = []), /non-empty/],
    ['another bundle format', (c: any) => (c.format = 'las-bundle/2'), /format/],
    ['moved special-token ids', (c: any) => (c.tokens = { blank: 30, sos: 1, eos: 2 }), /tokens.blank/],
    ['a chunk multiple off the subsampling', (c: any) => (c.encoder.chunkMultiple = 3), /chunkMultiple/],
    ['a state with another initialiser', (c: any) => (c.encoder.state[0].init = 'random'), /only "zeros"/],
    ['a path escaping the bundle', (c: any) => (c.encoder.file = '../encoder.onnx'), /encoder.file/],
  ])('rejects config.json with %s as MODEL_MISMATCH', async (_, edit, message) => {
    await expectConfigRejected(edit, 'MODEL_MISMATCH', message);
  });

  it.each([
    ['swapped graph files', (c: any) => ([c.encoder.file, c.decoder.file] = [c.decoder.file, c.encoder.file]), /no input "feats"/, 'decoder_step.onnx'],
    ['an input the graph lacks', (c: any) => c.decoder.inputs.push({ name: 'lengths', shape: ['B'] }), /lists input "lengths"/, 'decoder_step.onnx'],
    ['a renamed output', (c: any) => (c.decoder.outputs[3].name = 'weights'), /lists output "weights"/, 'decoder_step.onnx'],
    ['a wrong fixed dimension', (c: any) => (c.decoder.inputs[1].shape = ['B', 64]), /"h" dimension 1 is 32 in the graph, 64/, 'decoder_step.onnx'],
    ['a wrong dtype', (c: any) => (c.decoder.inputs[0].dtype = 'int32'), /"token" is int64 in the graph, int32/, 'decoder_step.onnx'],
    ['a wrong state shape', (c: any) => (c.encoder.state[1].shape = [1, 1, 33]), /state "state_in_sub2"/, 'encoder.onnx'],
    ['a wrong declared width', (c: any) => (c.encoder.attentionDim = 99), /attentionDim is 99/, 'encoder.onnx'],
    ['a wrong decoder width', (c: any) => (c.decoder.hidden = 7), /decoder.hidden is 7/, 'decoder_step.onnx'],
    ['a front end with other mel bands', (c: any) => ((c.frontEnd.nMels = 40), (c.normStats.mean.length = 40), (c.normStats.std.length = 40)), /40/, 'encoder.onnx'],
  ])('rejects a bundle whose config.json and graphs disagree (%s) naming the graph', async (_, edit, message, file) => {
    await expectConfigRejected(edit, 'MODEL_MISMATCH', message, file);
  });
});

describe('validateSessionOptions', () => {
  it('fills defaults', () => {
    expect(validateSessionOptions({ intraOpThreads: 2 })).toEqual({ ...DEFAULT_SESSION_OPTIONS, intraOpThreads: 2 });
    expect(validateSessionOptions({ intraOpThreads: undefined })).toEqual(DEFAULT_SESSION_OPTIONS);
  });
  it.each([[{ intraOpThreads: 0 }], [{ intraOpThreads: 1.5 }], [{ graphOptimizationLevel: 'max' as never }], [{ precision: 'int4' as never }]])('rejects %j', (o) => {
    expect(() => validateSessionOptions(o)).toThrow(ConfigError);
  });
  it('rejects bad options before touching the bundle', async () => {
    await expect(loadBundle(TINY, { intraOpThreads: -1 })).rejects.toThrow(ConfigError);
  });
});

describe('precision (int8 graphs, training/las/quantize.py)', () => {
  it("loads a graph's int8 copy where config.json names one, and float32 when asked for", async () => {
    // The shipped bundle has an int8 decoder step and a float32 encoder; the int8 step's logits differ a little from float32's.
    const outputs = async (precision: 'auto' | 'float32' | 'int8') => {
      const model = await loadBundle(SHIPPED, { precision });
      try {
        const buffers = model.decoder.createBuffers(1, 3);
        buffers.tokens[0] = 5n;
        buffers.keys.fill(0.1);
        buffers.memory.fill(0.2);
        buffers.mask.fill(1);
        return { precision: model.precision, logits: (await model.decoder.run(buffers, 1, 3)).logits };
      } finally {
        await model.dispose();
      }
    };
    const auto = await outputs('auto');
    const int8 = await outputs('int8');
    const float = await outputs('float32');
    expect(auto.precision).toEqual({ encoder: 'float32', decoder: 'int8' });
    expect(int8.precision).toEqual(auto.precision);
    expect(float.precision).toEqual({ encoder: 'float32', decoder: 'float32' });
    expect(int8.logits).toEqual(auto.logits);
    expect(float.logits).not.toEqual(auto.logits);
    const gap = Math.max(...float.logits.map((x, i) => Math.abs(x - auto.logits[i])));
    expect(gap).toBeLessThan(0.5);
  });

  it('loads float32 from a bundle without int8 graphs, unless int8 is insisted on', async () => {
    const model = await loadBundle(TINY);
    expect(model.precision).toEqual({ encoder: 'float32', decoder: 'float32' });
    await model.dispose();
    const e = await loadError(TINY, { precision: 'int8' });
    expect(e.code).toBe('MODEL_MISSING');
    expect(e.input).toBe(join(TINY, 'config.json'));
    expect(e.message).toMatch(/int8/);
  });

  it('names a missing int8 file, and refuses one outside the bundle', async () => {
    const { dir, cleanup } = copyBundle((c) => (c.decoder.int8File = 'decoder_step.int8.onnx'));
    try {
      const e = await loadError(dir);
      expect(e.code).toBe('MODEL_MISSING');
      expect(e.input).toBe(join(dir, 'decoder_step.int8.onnx'));
      const model = await loadBundle(dir, { precision: 'float32' }); // the float graphs are all there
      await model.dispose();
    } finally {
      cleanup();
    }
    await expectConfigRejected((c) => (c.decoder.int8File = '../decoder_step.onnx'), 'MODEL_MISMATCH', /int8File/);
  });
});
