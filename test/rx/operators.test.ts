import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16, type Audio } from '../../src/audio/index.ts';
import { computeLogMel } from '../../src/features/index.ts';
import { AudioError, LasError } from '../../src/errors.ts';
import {
  decodeAudio,
  failed,
  logMelFrames,
  logMelStream,
  ok,
  scoreReport,
  resampleTo,
  scoreAgainst,
  type Item,
} from '../../src/rx/index.ts';

const sine = (seconds: number, rate: number, hz = 440): Audio => {
  const samples = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / rate);
  return { samples, sampleRate: rate };
};

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('per-item error policy (marbles)', () => {
  it('resampleTo passes failures through and keeps the stream alive', () => {
    const bad = failed('b', new AudioError('NOT_WAV', 'no RIFF', 'b'));
    const a = ok('a', sine(0.1, 8000));
    const c = ok('c', sine(0.1, 16000));
    newScheduler().run(({ cold, expectObservable }) => {
      const out = cold<Item<Audio>>('a-b-c|', { a, b: bad, c }).pipe(resampleTo(16000));
      expectObservable(out.pipe(toArray())).toBe('-----(x|)', {
        x: [
          expect.objectContaining({ id: 'a', ok: true, value: expect.objectContaining({ sampleRate: 16000 }) }),
          bad,
          expect.objectContaining({ id: 'c', ok: true, value: c.value }),
        ],
      });
    });
  });

  it('logMelFrames fails only the item that is too short', () => {
    const short = ok('short', sine(0.01, 16000)); // 160 samples < one 400-sample frame
    const good = ok('good', sine(0.5, 16000));
    newScheduler().run(({ cold, expectObservable }) => {
      const out = cold<Item<Audio>>('s-g|', { s: short, g: good }).pipe(logMelFrames());
      expectObservable(out).toBe('s-g|', {
        s: expect.objectContaining({ id: 'short', ok: false, error: expect.objectContaining({ code: 'TOO_SHORT', input: 'short' }) }),
        g: { id: 'good', ok: true, value: computeLogMel(good.value) },
      });
    });
  });

  it('logMelFrames fails an item at the wrong rate instead of computing garbage', async () => {
    const [item] = await lastValueFrom(from([ok('x', sine(0.5, 8000))]).pipe(logMelFrames(), toArray()));
    expect(item!.ok).toBe(false);
    if (!item!.ok) expect(item!.error.message).toMatch(/^x: /);
  });

  it('scoreAgainst scores by id and fails items without a reference', () => {
    const refs = new Map([['u1', 'the cat sat']]);
    newScheduler().run(({ cold, expectObservable }) => {
      const out = cold<Item<{ text: string }>>('a-b|', {
        a: ok('u1', { text: 'the cat sat down' }),
        b: ok('u2', { text: 'hello' }),
      }).pipe(scoreAgainst(refs));
      expectObservable(out).toBe('a-b|', {
        a: { id: 'u1', ok: true, value: expect.objectContaining({ S: 0, D: 0, I: 1, C: 3, N: 3, wer: 1 / 3 }) },
        b: expect.objectContaining({ id: 'u2', ok: false, error: expect.objectContaining({ code: 'NO_REFERENCE' }) }),
      });
    });
  });

  it('scoreReport pools counts (not a mean of rates) and lists failures', () => {
    const refs = new Map([
      ['long', 'one two three four five six seven eight nine ten'],
      ['short', 'yes'],
    ]);
    newScheduler().run(({ cold, expectObservable }) => {
      const out = cold<Item<{ text: string }>>('a-b-c|', {
        a: ok('long', { text: 'one two three four five six seven eight nine ten' }),
        b: ok('short', { text: 'no' }),
        c: failed('broken', new LasError('X', 'broken', 'broken')),
      }).pipe(scoreAgainst(refs), scoreReport());
      expectObservable(out).toBe('-----(r|)', {
        r: expect.objectContaining({
          rows: [expect.objectContaining({ id: 'long' }), expect.objectContaining({ id: 'short' })],
          failed: [expect.objectContaining({ id: 'broken' })],
          // 1 error over 11 reference words, where the mean of per-utterance WERs would be 0.5
          pooled: expect.objectContaining({ wer: 1 / 11, utterances: 2 }),
        }),
      });
    });
  });
});

describe('logMelStream', () => {
  it('emits exactly the batch frames for an irregular chunking', async () => {
    const audio = sine(1.0, 16000, 300);
    const cuts = [0, 1, 399, 400, 1000, 1001, 5000, 9999, 16000];
    const chunks = cuts.slice(1).map((end, i) => ({ samples: audio.samples.subarray(cuts[i], end), sampleRate: 16000 }));
    const frames = await lastValueFrom(from(chunks).pipe(logMelStream(), toArray()));
    const batch = computeLogMel(audio);
    const streamed = new Float32Array(frames.reduce((n, f) => n + f.data.length, 0));
    let at = 0;
    for (const f of frames) {
      streamed.set(f.data, at);
      at += f.data.length;
    }
    expect(frames.every((f) => f.frames > 0)).toBe(true);
    expect(streamed).toEqual(batch.data);
  });

  it('ends the live stream with a typed error on a chunk at the wrong rate', async () => {
    const run = firstValueFrom(from([sine(0.5, 16000), sine(0.5, 8000)]).pipe(logMelStream(undefined, 'mic'), toArray()));
    await expect(run).rejects.toMatchObject({ code: 'BAD_SAMPLE_RATE', input: 'mic' });
  });
});

describe('decodeAudio', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'las-rx-'));
    await writeFile(join(dir, 'good.wav'), encodeWav16(sine(0.5, 22050)));
    await writeFile(join(dir, 'bad.wav'), 'this is not audio');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decodes in order; a bad or missing file fails only its own item', async () => {
    const items = await lastValueFrom(
      from([join(dir, 'good.wav'), join(dir, 'bad.wav'), join(dir, 'missing.wav'), { id: 'mem', bytes: encodeWav16(sine(0.5, 16000)) }]).pipe(
        decodeAudio(),
        toArray(),
      ),
    );
    expect(items.map((i) => [i.id.replace(dir, ''), i.ok])).toEqual([
      ['/good.wav', true],
      ['/bad.wav', false],
      ['/missing.wav', false],
      ['mem', true],
    ]);
    const good = items[0]!;
    if (good.ok) expect(good.value.sampleRate).toBe(16000);
    const codes = items.flatMap((i) => (i.ok ? [] : [i.error.code]));
    expect(codes).toEqual(['NOT_WAV', 'READ_FAILED']);
  });
});
