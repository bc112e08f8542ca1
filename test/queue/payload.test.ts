import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDecodingFlags } from '../../src/cli/decodingFlags.ts';
import { DEFAULT_DECODING_OPTIONS } from '../../src/decoding/options.ts';
import { AudioError, ConfigError, QueueError } from '../../src/errors.ts';
import { codeOfReason, isPermanent, jobDecoding, jobIdFor, parseRedisUrl, resolveInputRoots, resolveInRoots, validateJobPayload, type JobPayload } from '../../src/queue/index.ts';

const VALID: JobPayload = {
  version: 1,
  name: 'in/a.wav',
  source: { kind: 'path', path: '/data/in/a.wav' },
  sha256: 'a'.repeat(64),
  decoding: { mode: 'global', beam: 4, ctcWeight: 0.3 },
  formats: ['srt'],
};

describe('parseRedisUrl', () => {
  it('reads host, port, database, user, password and TLS', () => {
    expect(parseRedisUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0, tls: false });
    expect(parseRedisUrl('rediss://worker:p%40ss%3Aword@redis.example:6380/2')).toEqual({ host: 'redis.example', port: 6380, db: 2, username: 'worker', password: 'p@ss:word', tls: true });
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toEqual({ host: '::1', port: 7000, db: 0, password: 'secret', tls: false });
  });

  it.each(['http://localhost', 'localhost:6379', 'redis://', 'redis://host/zero', 'redis://host?tls=1'])('refuses %s with BAD_REDIS_URL', (url) => {
    expect(() => parseRedisUrl(url)).toThrow(QueueError);
    try {
      parseRedisUrl(url);
    } catch (err) {
      expect((err as QueueError).code).toBe('BAD_REDIS_URL');
    }
  });

  it('never shows the password in an error', () => {
    try {
      parseRedisUrl('redis://user:hunter2@host/notanumber');
      throw new Error('no error');
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
      expect((err as Error).message).toContain('user:***@host');
    }
  });
});

describe('validateJobPayload', () => {
  it('accepts a valid job as it is', () => {
    expect(validateJobPayload(structuredClone(VALID), 'j1')).toEqual(VALID);
    const bytes = { ...VALID, source: { kind: 'bytes', base64: 'UklGRg==' }, formats: [] };
    expect(validateJobPayload(bytes, 'j2')).toEqual(bytes);
    const weights = { ...VALID, decoding: { ...VALID.decoding, lmWeight: 0.5, wordLmWeight: 0.2 } };
    expect(validateJobPayload(structuredClone(weights), 'j3')).toEqual(weights);
    const off = { ...VALID, decoding: { ...VALID.decoding, wordLmWeight: 0 } };
    expect(validateJobPayload(structuredClone(off), 'j4')).toEqual(off);
    for (const timestamps of ['ctc', 'attention'] as const) {
      const timed = { ...VALID, decoding: { ...VALID.decoding, timestamps } };
      expect(validateJobPayload(structuredClone(timed), 'j5')).toEqual(timed);
    }
  });

  it.each([
    ['an extra field', { ...VALID, command: 'rm -rf /' }],
    ['a bad version', { ...VALID, version: 2 }],
    ['a NUL in the path', { ...VALID, source: { kind: 'path', path: '/data/a\0.wav' } }],
    ['an unknown source kind', { ...VALID, source: { kind: 'url', url: 'http://x' } }],
    ['a beam out of range', { ...VALID, decoding: { ...VALID.decoding, beam: 1000 } }],
    ['an unknown mode', { ...VALID, decoding: { ...VALID.decoding, mode: 'psychic' } }],
    ['a word LM weight out of range', { ...VALID, decoding: { ...VALID.decoding, wordLmWeight: 11 } }],
    ['a negative word LM weight', { ...VALID, decoding: { ...VALID.decoding, wordLmWeight: -0.5 } }],
    ['a word LM weight that is no number', { ...VALID, decoding: { ...VALID.decoding, wordLmWeight: '0.2' } }],
    ['a NaN word LM weight', { ...VALID, decoding: { ...VALID.decoding, wordLmWeight: Number.NaN } }],
    ['an LM weight out of range', { ...VALID, decoding: { ...VALID.decoding, lmWeight: 10.5 } }],
    ['an unknown timestamp source', { ...VALID, decoding: { ...VALID.decoding, timestamps: 'peaks' } }],
    ['a timestamp source that is no string', { ...VALID, decoding: { ...VALID.decoding, timestamps: 1 } }],
    ['a null timestamp source', { ...VALID, decoding: { ...VALID.decoding, timestamps: null } }],
    ['a format twice', { ...VALID, formats: ['srt', 'srt'] }],
    ['a bad hash', { ...VALID, sha256: 'xyz' }],
    ['not base64', { ...VALID, source: { kind: 'bytes', base64: '<script>' } }],
    ['an array', [VALID]],
    ['null', null],
  ])('refuses %s with BAD_JOB naming the job', (_, data) => {
    try {
      validateJobPayload(data, 'job-7');
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(QueueError);
      expect((err as QueueError).code).toBe('BAD_JOB');
      expect((err as QueueError).input).toBe('job-7');
    }
  });

  it('any mutation of a valid job gives a job or a QueueError, never another exception', () => {
    const keys = ['version', 'name', 'source', 'sha256', 'decoding', 'formats', 'extra'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), fc.constantFrom('source', 'decoding'), fc.string(), fc.anything(), (key, value, inner, innerKey, innerValue) => {
        const data = structuredClone(VALID) as unknown as Record<string, Record<string, unknown>>;
        (data as Record<string, unknown>)[key] = value;
        if (typeof data[inner] === 'object' && data[inner] !== null) {
          // Some mutations cannot be made at all (an array's length set to an object throws a
          // RangeError here, before any job is read): those inputs are skipped, not counted.
          try {
            data[inner]![innerKey] = innerValue;
          } catch {
            fc.pre(false);
          }
        }
        try {
          const job = validateJobPayload(data, 'j');
          expect(job.version).toBe(1);
        } catch (err) {
          expect(err).toBeInstanceOf(QueueError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('jobIdFor', () => {
  const h = 'b'.repeat(64);
  it('is the same for the same content and options, spelled with or without defaults', () => {
    expect(jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3 }, ['srt', 'vtt'])).toBe(jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3 }, ['vtt', 'srt']));
    expect(jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3 }, [])).toMatch(/^t[0-9a-f]{64}$/);
  });
  it('differs for other content, other decoding options or other formats', () => {
    const base = jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3 }, []);
    expect(new Set([base, jobIdFor('c'.repeat(64), { mode: 'global', beam: 4, ctcWeight: 0.3 }, []), jobIdFor(h, { mode: 'global', beam: 2, ctcWeight: 0.3 }, []), jobIdFor(h, { mode: 'local', beam: 4, ctcWeight: 0.3 }, []), jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0 }, []), jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3 }, ['srt'])]).size).toBe(6);
  });
  it('differs with the word LM weight: absent (the bundle\'s), 0 (off) and each weight are other work', () => {
    const ids = [undefined, 0, 0.15, 0.3].map((wordLmWeight) => jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3, lmWeight: 0.3, ...(wordLmWeight === undefined ? {} : { wordLmWeight }) }, []));
    expect(new Set(ids).size).toBe(4);
    expect(jobIdFor(h, { mode: 'global', beam: 4, ctcWeight: 0.3, lmWeight: 0.3, wordLmWeight: 0.15 }, [])).toBe(ids[2]);
  });
  it('differs with the timestamp source; ctc is the default, so the same job as none given', () => {
    const base = { mode: 'global', beam: 4, ctcWeight: 0.3 } as const;
    const none = jobIdFor(h, base, []);
    expect(jobIdFor(h, { ...base, timestamps: 'ctc' }, [])).toBe(none);
    expect(jobIdFor(h, { ...base, timestamps: 'attention' }, [])).not.toBe(none);
  });
});

describe('jobDecoding (what las queue add puts in each job)', () => {
  it('carries --timestamps attention, and leaves out the default (readable by workers from before the field)', () => {
    expect(jobDecoding({ timestamps: 'attention' })).toMatchObject({ timestamps: 'attention' });
    expect(jobDecoding({ timestamps: 'ctc' })).not.toHaveProperty('timestamps');
    expect(jobDecoding({})).not.toHaveProperty('timestamps');
    const decoding = jobDecoding({ timestamps: 'attention' });
    expect(validateJobPayload({ ...VALID, decoding }, 'j').decoding).toEqual(decoding);
    expect(() => jobDecoding({ timestamps: 'peaks' as never })).toThrow(ConfigError);
  });

  it('carries --word-lm-weight and --lm-weight, and leaves them out when not given', () => {
    expect(jobDecoding(parseDecodingFlags({ 'word-lm-weight': '0.25', 'lm-weight': '0.5' }))).toEqual({ mode: 'global', beam: DEFAULT_DECODING_OPTIONS.beam, ctcWeight: DEFAULT_DECODING_OPTIONS.ctcWeight, lmWeight: 0.5, wordLmWeight: 0.25 });
    expect(jobDecoding(parseDecodingFlags({ 'word-lm-weight': '0' }))).toMatchObject({ wordLmWeight: 0 });
    expect(jobDecoding(parseDecodingFlags({}))).not.toHaveProperty('wordLmWeight');
    // What it makes is a valid job's decoding, as a worker reads it back.
    const decoding = jobDecoding({ wordLmWeight: 0.25 });
    expect(validateJobPayload({ ...VALID, decoding }, 'j').decoding).toEqual(decoding);
    expect(() => jobDecoding({ wordLmWeight: 11 })).toThrow(ConfigError);
  });
});

describe('resolveInRoots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'las-roots-'));
  mkdirSync(join(dir, 'root', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'root', 'sub', 'a.wav'), 'x');
  writeFileSync(join(dir, 'outside.wav'), 'x');
  mkdirSync(join(dir, 'root2'));
  writeFileSync(join(dir, 'root2', 'a.wav'), 'x');
  symlinkSync(join(dir, 'outside.wav'), join(dir, 'root', 'link.wav'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const code = async (path: string, roots: readonly string[] = [join(dir, 'root')]) => {
    try {
      await resolveInRoots(path, await resolveInputRoots(roots), 'job');
      return 'ok';
    } catch (err) {
      if (err instanceof QueueError || err instanceof AudioError) return err.code;
      throw err;
    }
  };

  it('lets a file inside a root through, resolved', async () => {
    expect(await code(join(dir, 'root', 'sub', 'a.wav'))).toBe('ok');
    expect(await code(join(dir, 'root', 'sub', '..', 'sub', 'a.wav'))).toBe('ok');
  });

  it('refuses .., absolute paths elsewhere, links out, relative paths and a worker without roots', async () => {
    expect(await code(join(dir, 'root', '..', 'outside.wav'))).toBe('PATH_OUTSIDE_ROOTS');
    expect(await code(`${join(dir, 'root')}/../outside.wav`)).toBe('PATH_OUTSIDE_ROOTS');
    expect(await code('/etc/passwd')).toBe('PATH_OUTSIDE_ROOTS');
    expect(await code(join(dir, 'root', 'link.wav'))).toBe('PATH_OUTSIDE_ROOTS');
    expect(await code('sub/a.wav')).toBe('PATH_OUTSIDE_ROOTS');
    expect(await code(join(dir, 'root', 'sub', 'a.wav'), [])).toBe('PATH_OUTSIDE_ROOTS');
    // A root's sibling whose name starts the same is not inside it.
    expect(await code(join(dir, 'root2', 'a.wav'))).toBe('PATH_OUTSIDE_ROOTS');
  });

  it('a missing file inside a root is READ_FAILED (transient: shared storage may come back)', async () => {
    expect(await code(join(dir, 'root', 'missing.wav'))).toBe('READ_FAILED');
    expect(isPermanent(new AudioError('READ_FAILED', 'x'))).toBe(false);
  });

  it('a root that does not exist is a ConfigError', async () => {
    await expect(resolveInputRoots([join(dir, 'nope')])).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('error classes', () => {
  it('corrupt input, a refused path and a bad job are permanent; a bug or READ_FAILED is not', () => {
    for (const c of ['NOT_WAV', 'TRUNCATED_HEADER', 'UNSUPPORTED_ENCODING', 'TOO_SHORT', 'EMPTY'] as const) expect(isPermanent(new AudioError(c, 'x'))).toBe(true);
    expect(isPermanent(new QueueError('PATH_OUTSIDE_ROOTS', 'x'))).toBe(true);
    expect(isPermanent(new QueueError('BAD_JOB', 'x'))).toBe(true);
    expect(isPermanent(new Error('ECONNRESET'))).toBe(false);
    expect(isPermanent(new QueueError('REDIS_UNREACHABLE', 'x'))).toBe(false);
  });
  it('reads the code back from a failed reason', () => {
    expect(codeOfReason('NOT_WAV: a.wav: no RIFF/WAVE signature')).toBe('NOT_WAV');
    expect(codeOfReason('job stalled more than allowable limit')).toBe('STALLED');
    expect(codeOfReason(undefined)).toBe('WORKER_ERROR');
  });
});
