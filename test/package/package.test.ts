import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/index.ts';
import { BUNDLED_MODEL_DIR, defaultModelDir, MODEL_ENV_VAR } from '../../src/model/defaultModel.ts';
import { findPackageRoot, PACKAGE_ROOT, packageVersion } from '../../src/packageRoot.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  exports: Record<string, Record<string, string> | string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const MAX_PACKED_BYTES = 30 * 1024 * 1024;
const built = existsSync(join(ROOT, 'dist/src/index.js'));

describe('package root and the bundled model', () => {
  it('is found from the sources and from one level deeper, as in dist/', () => {
    expect(PACKAGE_ROOT).toBe(ROOT);
    expect(findPackageRoot(join(ROOT, 'dist/src/model'))).toBe(ROOT);
    expect(() => findPackageRoot(tmpdir())).toThrow(/no las-speech package\.json above/);
  });

  it('a package.json of another name is not the root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'las-root-'));
    try {
      mkdirSync(join(dir, 'inner'));
      writeFileSync(join(dir, 'inner/package.json'), '{"name":"someone-else"}');
      writeFileSync(join(dir, 'package.json'), '{"name":"las-speech","version":"9.9.9"}');
      expect(findPackageRoot(join(dir, 'inner'))).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the default model is the bundled one unless LAS_MODEL names another', () => {
    expect(BUNDLED_MODEL_DIR).toBe(join(ROOT, 'models/las-small'));
    expect(defaultModelDir({})).toBe(BUNDLED_MODEL_DIR);
    expect(defaultModelDir({ [MODEL_ENV_VAR]: '' })).toBe(BUNDLED_MODEL_DIR);
    expect(defaultModelDir({ [MODEL_ENV_VAR]: 'models/tiny-random' })).toBe(resolve('models/tiny-random'));
  });

  describe('loadModel() with no directory', () => {
    const saved = process.env[MODEL_ENV_VAR];
    afterEach(() => {
      if (saved === undefined) delete process.env[MODEL_ENV_VAR];
      else process.env[MODEL_ENV_VAR] = saved;
    });

    it('loads the bundle LAS_MODEL names', async () => {
      process.env[MODEL_ENV_VAR] = join(ROOT, 'models/tiny-random');
      const model = await loadModel();
      try {
        expect(model.dir).toBe(join(ROOT, 'models/tiny-random'));
      } finally {
        await model.dispose();
      }
    });

    it('a LAS_MODEL that does not exist is MODEL_MISSING naming it', async () => {
      process.env[MODEL_ENV_VAR] = join(ROOT, 'models/no-such-bundle');
      await expect(loadModel()).rejects.toMatchObject({ code: 'MODEL_MISSING', input: join(ROOT, 'models/no-such-bundle') });
    });
  });

  it('the version comes from package.json', () => {
    expect(packageVersion()).toBe(manifest.version);
  });
});

describe('package.json', () => {
  it('has both command names, on one entry script', () => {
    expect(manifest.bin).toEqual({ las: 'bin/las.js', 'las-speech': 'bin/las.js' });
  });

  it('exports the compiled entry with its types, and keeps tsx out of the runtime', () => {
    expect(manifest.exports['.']).toEqual({ types: './dist/src/index.d.ts', import: './dist/src/index.js', require: './dist/src/index.js' });
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    expect(Object.keys(manifest.devDependencies)).toContain('tsx');
  });
});

// A fresh build into a scratch folder inside the package (the code finds models/ and web/ from the
// package root above it), so these checks never read a stale dist/.
describe('the build', () => {
  const scratch = join(ROOT, 'tmp', `build-test-${process.pid}`);
  const out = join(scratch, 'dist');
  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', out], { cwd: ROOT });
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('imports in plain Node, with the same exports as the sources', async () => {
    const names = async (entry: string, loader: string[]) =>
      (await run(process.execPath, [...loader, '--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(m).sort()))`], { cwd: ROOT })).stdout;
    const compiled = JSON.parse(await names(join(out, 'src/index.js'), []));
    const source = JSON.parse(await names(join(ROOT, 'src/index.ts'), ['--import', 'tsx']));
    expect(compiled).toEqual(source);
    expect(compiled).toEqual(expect.arrayContaining(['loadModel', 'transcribe', 'recordMicrophone', 'MicrophoneError', 'BUNDLED_MODEL_DIR', 'createPushRecognizer', 'toSrt']));
  });

  it('require() loads it too (require of ES modules, Node 20.19+)', async () => {
    const { stdout } = await run(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(join(out, 'src/index.js'))}).transcribe)`], { cwd: ROOT });
    expect(stdout).toBe('function\n');
  });

  it('has declarations whose relative imports end in .js, not .ts', () => {
    const offenders: string[] = [];
    for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
      if (!entry.name.endsWith('.d.ts')) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      if (/(?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*\.ts['"]/.test(text)) offenders.push(join(entry.parentPath, entry.name));
    }
    expect(offenders).toEqual([]);
    expect(existsSync(join(out, 'src/index.d.ts'))).toBe(true);
  });

  it("a consumer's strict NodeNext tsc over README's example finds no error", async () => {
    // node_modules/las-speech as npm lays out an installed package: its package.json and dist/.
    const consumer = join(scratch, 'consumer');
    const installed = join(consumer, 'node_modules/las-speech');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ ...manifest, exports: { '.': { types: './dist/src/index.d.ts', import: './dist/src/index.js' } } }));
    symlinkSync(out, join(installed, 'dist'));
    writeFileSync(join(consumer, 'package.json'), '{"name":"consumer","type":"module"}');
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] }, files: ['demo.ts'] }),
    );
    writeFileSync(
      join(consumer, 'demo.ts'),
      [
        "import { loadModel, transcribe, scoreUtterance, createPushRecognizer, formatTranscript, recordMicrophone, MicrophoneError, BUNDLED_MODEL_DIR, type TranscriptionResult } from 'las-speech';",
        'const model = await loadModel(undefined, { intraOpThreads: 1 });',
        "const result: TranscriptionResult = await transcribe('clip.wav', { model, mode: 'local', beam: 4, returnAttention: true });",
        "const wer: number = scoreUtterance('id', 'the reference', result.text).wer;",
        "const srt: string = formatTranscript('srt', 'clip.wav', result);",
        'const recognizer = createPushRecognizer(model, { mode: "local" });',
        'const stream = recognizer.createStream({ signal: AbortSignal.timeout(1000) });',
        'stream.acceptWaveform({ samples: new Float32Array(160), sampleRate: 16000 });',
        'while (recognizer.isReady(stream)) await recognizer.decode(stream);',
        'const text: string = recognizer.getResult(stream).text;',
        'for await (const chunk of recordMicrophone({ sampleRate: 16000 })) chunk.samples satisfies Float32Array;',
        "console.log(wer, srt, text, BUNDLED_MODEL_DIR, new MicrophoneError('NO_RECORDER', 'x').code, result.words, result.timing.rtf);",
        'await model.dispose();',
        '',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    // --listFiles proves the package's declarations were read (and so checked: skipLibCheck is off).
    const result = await run(process.execPath, [tsc, '-p', consumer, '--listFiles'], { cwd: consumer, maxBuffer: 16 << 20 }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    expect(result.stdout.split('\n').filter((line) => /error TS\d+/.test(line))).toEqual([]);
    expect(result.stdout).toContain(join(out, 'src/index.d.ts'));
    expect(result.stdout).toContain(join(out, 'src/streaming/pushRecognizer.d.ts'));
  }, 120_000);
});

// dist/ is built by `prepare`, which `npm ci` (scripts/install.sh) runs.
describe.skipIf(!built)('the package', () => {
  it('npm pack ships the runtime, the default bundle and README, and nothing of tests or training', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 << 20 });
    const [pack] = JSON.parse(stdout) as { size: number; files: { path: string }[] }[];
    const paths = pack!.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'README.md',
        'package.json',
        'bin/las.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/cli/main.js',
        'dist/pipelines/transcribe-files.js',
        'web/index.html',
        'models/las-small/config.json',
        'models/las-small/encoder.onnx',
        'models/las-small/decoder_step.onnx',
        'samples/flite-kal-sentence.wav',
      ]),
    );
    // The whole default bundle ships, whatever files a retrained one holds, except its training checkpoint.
    const bundle = readdirSync(join(ROOT, 'models/las-small'), { withFileTypes: true }).filter((d) => d.isFile()).map((d) => `models/las-small/${d.name}`);
    expect(paths).toEqual(expect.arrayContaining(bundle));
    const unwanted = paths.filter((p) => /^(test|training|bench|src|pipelines|scripts|docs|tmp)\//.test(p) || /checkpoint|tiny-random|\.ts$/.test(p.replace(/\.d\.ts$/, '')));
    expect(unwanted).toEqual([]);
    expect(pack!.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
  });

  it('the command runs the build when asked to (LAS_CLI=dist)', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/las.js'), '-V'], { cwd: tmpdir(), env: { ...process.env, LAS_CLI: 'dist' } });
    expect(stdout).toBe(`${manifest.version}\n`);
  });
});

describe('the command', () => {
  it.each(['-V', '-v', '--version'])('%s prints the version', async (flag) => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/las.js'), flag], { cwd: tmpdir() });
    expect(stdout).toBe(`${manifest.version}\n`);
  });

  it('a reader that goes away (| head -1) ends it quietly', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/las.js'), 'probe', ...Array(200).fill(join(ROOT, 'samples/flite-kal-sentence.wav'))], { stdio: ['ignore', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(Buffer.concat(err).toString('utf8')).toBe('');
    expect(code).toBe(0);
  });
});
