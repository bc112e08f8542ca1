import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { main } from '../../src/cli/main.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import type { FinalEvent, StreamEvent } from '../../src/streaming/events.ts';
import { createEventPrinter } from '../../src/streaming/printer.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { DEFAULT_DECODING_OPTIONS } from '../../src/decoding/options.ts';
import { DEFAULT_ENDPOINT_OPTIONS } from '../../src/streaming/endpoint.ts';
import { DEFAULT_STREAMING_OPTIONS } from '../../src/streaming/options.ts';
import { offlineText, SAMPLES, streamAll, TINY } from './helpers.ts';

const FAKE_BIN = resolve(import.meta.dirname, 'fixtures/bin');
const WAV = join(SAMPLES, 'festival-kal-note.wav');

/** Runs `las ...args` in this process, capturing stdout and stderr. */
async function las(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((err += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
const events = (out: string): StreamEvent[] => out.trim().split('\n').map((line) => JSON.parse(line));

describe('event printer', () => {
  const sink = (isTTY: boolean, columns = 20) => {
    const written: string[] = [];
    return { written, term: { isTTY, columns, write: (t: string) => written.push(t) } };
  };
  const partial = (text: string) => ({ type: 'partial', utterance: 0, text, tokens: [], window: { start: 0, end: 0, pointer: 0 }, audioTime: 1 }) as const;
  const final = (text: string) => ({ type: 'final', utterance: 0, text, tokens: [], window: { start: 0, end: 0, pointer: 0 }, audioTime: 1, reason: 'rule2', start: 0, end: 1 }) as const;

  it('on a terminal rewrites the partial line in place and keeps finals', () => {
    const out = sink(true);
    const err = sink(true);
    const p = createEventPrinter(out.term, err.term, 'tty');
    p.print(partial('hel'));
    p.print(partial('hello there my friend how are you'));
    p.print(final('hello there'));
    p.print({ type: 'error', code: 'RECORDER_DIED', message: 'gone', audioTime: 2 });
    expect(out.written).toEqual(['\r\x1b[2Khel', '\r\x1b[2K\u2026friend how are you', '\r\x1b[2K', 'hello there\n']);
    expect(err.written).toEqual(['las listen: gone\n']);
  });

  it('piped, prints only final lines; with json, every event', () => {
    const lines = sink(false);
    const p = createEventPrinter(lines.term, sink(false).term, 'lines');
    p.print(partial('a'));
    p.print(final(''));
    p.print(final('ab'));
    expect(lines.written).toEqual(['ab\n']);
    const json = sink(false);
    createEventPrinter(json.term, sink(false).term, 'json').print(partial('a'));
    // The JSON form of a partial sends only the tokens not sent before (src/streaming/eventJson.ts).
    const { tokens: _sent, ...rest } = partial('a');
    expect(JSON.parse(json.written[0])).toEqual({ ...rest, tokensFrom: 0, newTokens: [] });
  });
});

describe('las listen', () => {
  let model: LoadedModel;
  let audio: Float32Array;
  beforeAll(async () => {
    model = await loadModel(TINY);
    audio = (await readWavFile(WAV)).samples;
  });
  afterAll(() => model?.dispose());

  it('--input --json: one event per line; partial text (the CTC head\'s by default) only grows; each final equals offline local decoding of its audio', async () => {
    const { code, out } = await las('listen', '--input', WAV, '--json', '--model', TINY);
    expect(code).toBe(0);
    const all = events(out);
    const partials = all.filter((e) => e.type === 'partial') as unknown as { utterance: number; tokensFrom: number; newTokens: unknown[] }[];
    expect(partials.length).toBeGreaterThan(1);
    // Each partial of an utterance keeps every token the previous one sent and adds some.
    partials.forEach((p, i) => {
      const previous = partials[i - 1];
      if (previous?.utterance === p.utterance) expect(p.tokensFrom).toBe(previous.tokensFrom + previous.newTokens.length);
      expect(p.newTokens.length).toBeGreaterThan(0);
    });
    const finals = all.filter((e): e is FinalEvent => e.type === 'final');
    expect(finals.at(-1)!.reason).toBe('end');
    for (const f of finals) expect(f.text).toBe(await offlineText(model, audio, f, 'local'));
  });

  it('--partials attention reaches the recognizer: other partial text than the default\'s; finals still equal offline local decoding', async () => {
    const partialTexts = (out: string) => events(out).filter((e) => e.type === 'partial').map((e) => (e as { text: string }).text);
    const byDefault = await las('listen', '--input', WAV, '--json', '--model', TINY);
    const { code, out } = await las('listen', '--input', WAV, '--json', '--model', TINY, '--partials', 'attention');
    expect(code).toBe(0);
    expect(partialTexts(out).length).toBeGreaterThan(1);
    expect(partialTexts(out)).not.toEqual(partialTexts(byDefault.out));
    for (const f of events(out).filter((e): e is FinalEvent => e.type === 'final')) expect(f.text).toBe(await offlineText(model, audio, f, 'local'));
  });

  it('--timestamps reaches the final decode: each final\'s token times are a recognizer\'s with that source', async () => {
    const ms = (seconds: number) => Math.round(seconds * 1000) / 1000; // as --json writes times
    const finalTimes = (all: readonly StreamEvent[]) => all.filter((e): e is FinalEvent => e.type === 'final').map((f) => ({ text: f.text, times: f.tokens.map((t) => [t.token, ms(t.start), ms(t.end)]) }));
    const run = async (...flags: string[]) => {
      const { code, out } = await las('listen', '--input', WAV, '--json', '--model', TINY, '--attention', 'global', ...flags);
      expect(code).toBe(0);
      return finalTimes(events(out));
    };
    const attention = await run('--timestamps', 'attention');
    const ctc = await run('--timestamps', 'ctc');
    expect(attention).toEqual(finalTimes(await streamAll(model, audio, { mode: 'global', timestamps: 'attention' })));
    expect(ctc).toEqual(finalTimes(await streamAll(model, audio, { mode: 'global', timestamps: 'ctc' })));
    expect(await run()).toEqual(ctc); // the default, as las transcribe's
    expect(attention.map((f) => f.text)).toEqual(ctc.map((f) => f.text)); // same text, other times
    expect(attention).not.toEqual(ctc);
  });

  it('--timestamps with another value is a usage error naming the flag', async () => {
    const { code, err } = await las('listen', '--model', TINY, '--timestamps', 'peaks');
    expect(code).toBe(2);
    expect(err).toMatch(/--timestamps must be one of ctc, attention, got "peaks"/);
  });

  it('records through the recorder on PATH with the chosen device; a piped run prints the finals', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'las-listen-'));
    const saved = { PATH: process.env.PATH };
    process.env.PATH = `${FAKE_BIN}${delimiter}${process.env.PATH}`;
    process.env.FAKE_MIC_WAV = WAV;
    process.env.FAKE_MIC_LOG = join(scratch, 'args');
    try {
      const json = await las('listen', '--json', '--model', TINY, '--recorder', 'arecord', '--device', 'hw:9,0');
      expect(json.code).toBe(0);
      expect(readFileSync(join(scratch, 'args'), 'utf8').trim()).toBe('-q -t raw -f S16_LE -c 1 -r 16000 -D hw:9,0 -');
      const finals = events(json.out).filter((e): e is FinalEvent => e.type === 'final');
      for (const f of finals) expect(f.text).toBe(await offlineText(model, audio, f, 'local'));
      const piped = await las('listen', '--model', TINY, '--attention', 'global');
      expect(piped.code).toBe(0);
      expect(piped.out.length).toBeGreaterThan(0);
      expect(piped.out.trim().split('\n').every((line) => /^[a-z' ]+$/.test(line))).toBe(true);
    } finally {
      process.env.PATH = saved.PATH;
      delete process.env.FAKE_MIC_WAV;
      delete process.env.FAKE_MIC_LOG;
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a device that does not open: exit 1 and the recorder\'s own message', async () => {
    const saved = process.env.PATH;
    process.env.PATH = `${FAKE_BIN}${delimiter}${process.env.PATH}`;
    try {
      const { code, err } = await las('listen', '--model', TINY, '--recorder', 'arecord');
      expect(code).toBe(1);
      expect(err).toMatch(/las listen: <microphone> \(arecord\): the recorder exited with code 1 before recording anything.*audio open error/s);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('--help states the defaults the recognizer uses: the final decode is las transcribe\'s', async () => {
    const { code, out } = await las('listen', '--help');
    expect(code).toBe(0);
    expect(DEFAULT_STREAMING_OPTIONS.beam).toBe(DEFAULT_DECODING_OPTIONS.beam);
    expect(out).toMatch(new RegExp(`--beam N .*\\(default ${DEFAULT_DECODING_OPTIONS.beam},`));
    expect(out).toMatch(new RegExp(`--rule2 S .*\\(default ${DEFAULT_ENDPOINT_OPTIONS.silenceAfterContent}\\)`));
    expect(out).toMatch(new RegExp(`\\(default ${DEFAULT_ENDPOINT_OPTIONS.leadingSilence}; "off" keeps the pause\\)`));
  });

  it('bad usage exits 2 with one line', async () => {
    for (const args of [['--attention', 'fast'], ['--realtime'], ['--input', WAV, '--device', 'hw:1'], ['--rule2', '-1'], ['--chunk', '10'], ['--partials', 'spikes'], ['--leading-silence', '-1']]) {
      const { code, err } = await las('listen', '--model', TINY, ...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('las serve', () => {
  it('serves until Ctrl+C, then exits 0', async () => {
    let out = '';
    let announced: (url: string) => void = () => {};
    const listening = new Promise<string>((resolve) => (announced = resolve));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      out += String(chunk);
      const open = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (open !== null) announced(open[1]);
      return true;
    });
    try {
      const running = main(['serve', '--port', '0', '--model', TINY, '--max-streams', '1']);
      // The command prints its URL once it listens; it must not end before that.
      const url = await Promise.race([listening, running.then((code) => Promise.reject(new Error(`las serve exited ${code} before listening: ${out}`)))]);
      expect(await (await fetch(new URL('api/info', url))).json()).toMatchObject({ model: 'tiny-random', maxStreams: 1 });
      process.emit('SIGINT');
      expect(await running).toBe(0);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      stdout.mockRestore();
    }
    const bad = await las('serve', '--port', '99999');
    expect(bad.code).toBe(2);
  });
});
