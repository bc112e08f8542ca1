import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { parseServeArgs } from '../../src/cli/serve.ts';
import { loadModel, type LoadedModel } from '../../src/offline/transcribe.ts';
import { startServer } from '../../src/server/server.ts';
import type { StreamEvent } from '../../src/streaming/events.ts';
import type { StreamingOptionsInput } from '../../src/streaming/options.ts';
import { createStreamingRecognizer } from '../../src/streaming/recognizer.ts';
import { runCli, SAMPLES, TINY } from '../cli/runCli.ts';
import { connect } from './client.ts';

/**
 * `las serve`'s recognition flags (--partials, --beam, --ctc-weight, --lm-weight,
 * --word-lm-weight) reach every stream's recognizer: what a client receives for a recording is
 * exactly what a recognizer made with those options gives for it.
 */
const WAV = join(SAMPLES, 'festival-kal-note.wav');
let model: LoadedModel;
let samples: Float32Array;

beforeAll(async () => {
  model = await loadModel(TINY);
  const audio = await readWavFile(WAV);
  expect(audio.sampleRate).toBe(model.config.frontEnd.sampleRate);
  samples = audio.samples;
});
afterAll(async () => {
  await model?.dispose();
});

/** The partial and final events one stream of the recording gets from a server started with `las serve <args>`. */
async function served(args: readonly string[], streams = 1): Promise<StreamEvent[][]> {
  const { server: options } = parseServeArgs(['--port', '0', ...args]);
  const server = await startServer(model, options, () => {});
  try {
    const out: StreamEvent[][] = [];
    for (let i = 0; i < streams; i++) {
      const client = await connect(server.url);
      client.sendJson({ type: 'start', sampleRate: model.config.frontEnd.sampleRate, format: 'f32' });
      await client.waitFor((m) => m.type === 'ready');
      // One message, so the server pushes the audio as one chunk, as direct() does.
      client.ws.send(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
      client.sendJson({ type: 'stop' });
      await client.waitFor((m) => m.type === 'done');
      client.ws.close();
      await client.closed;
      out.push(client.messages.filter((m) => m.type === 'partial' || m.type === 'final'));
    }
    return out;
  } finally {
    await server.close();
  }
}

/** The events of a recognizer made with `options`, fed the recording in one chunk, as they travel (JSON). */
async function direct(options: StreamingOptionsInput): Promise<StreamEvent[]> {
  const recognizer = createStreamingRecognizer(model, { mode: 'local', ...options });
  const rate = model.config.frontEnd.sampleRate;
  const events = [...(await recognizer.push({ samples, sampleRate: rate })), ...(await recognizer.push({ samples: new Float32Array(0), sampleRate: rate })), ...(await recognizer.finish())];
  return JSON.parse(JSON.stringify(events));
}

const finalTexts = (events: readonly StreamEvent[]) => events.flatMap((e) => (e.type === 'final' ? [e.text] : []));

describe('las serve recognition flags', () => {
  it('--partials reaches the recognizer of each stream', async () => {
    const [attentionFirst, attentionSecond] = await served(['--partials', 'attention'], 2);
    const attention = await direct({ partialSource: 'attention' });
    expect(attentionFirst).toEqual(attention);
    expect(attentionSecond).toEqual(attention);
    // The flag changes what is sent: the default source (ctc) gives other partials.
    const [byDefault] = await served([]);
    expect(byDefault).toEqual(await direct({}));
    expect(byDefault).toEqual(await direct({ partialSource: 'ctc' }));
    expect(byDefault.filter((e) => e.type === 'partial')).not.toEqual(attention.filter((e) => e.type === 'partial'));
    const [triggered] = await served(['--partials', 'triggered']);
    expect(triggered).toEqual(await direct({ partialSource: 'triggered' }));
  });

  it('settings the bundle cannot serve fail before the server listens (this bundle has no LM)', async () => {
    const { server: options } = parseServeArgs(['--port', '0', '--lm-weight', '0.3']);
    await expect(startServer(model, options, () => {})).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/needs a language model/) });
    const { server: chunked } = parseServeArgs(['--port', '0']);
    await expect(startServer(model, { ...chunked, recognition: { ...chunked.recognition, chunkFrames: 6 } }, () => {})).rejects.toThrow(/multiple of the model's subsampling factor/);
  });

  it('--beam and --ctc-weight reach each final\'s decode', async () => {
    const [greedy] = await served(['--attention', 'global', '--beam', '1', '--ctc-weight', '0']);
    const expected = await direct({ mode: 'global', beam: 1, ctcWeight: 0 });
    expect(greedy).toEqual(expected);
    expect(finalTexts(greedy)).not.toEqual(finalTexts(await direct({ mode: 'global' })));
  });

  it.each([
    [['--partials', 'spikes'], /--partials must be one of attention, triggered, ctc, got "spikes"/],
    [['--beam', '0'], /--beam must be an integer in 1\.\.64, got "0"/],
    [['--ctc-weight', '1.5'], /--ctc-weight must be a number in 0\.\.1, got "1\.5"/],
    [['--lm-weight', '11'], /--lm-weight must be a number in 0\.\.10, got "11"/],
    [['--word-lm-weight', 'lots'], /--word-lm-weight must be a number in 0\.\.10, got "lots"/],
  ])('las serve %j is a usage error naming the flag (exit 2)', async (flags, message) => {
    const run = await runCli(['serve', '--model', TINY, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help documents them', async () => {
    const help = await runCli(['serve', '--help']);
    for (const flag of ['--partials attention|triggered|ctc', '--beam N', '--ctc-weight X', '--lm-weight X', '--word-lm-weight X']) expect(help.stdout).toContain(flag);
  });
});
