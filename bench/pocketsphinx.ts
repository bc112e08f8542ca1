import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16 } from '../src/audio/index.ts';
import { MODE_NAMES } from '../src/attention/index.ts';
import { poolScores, scoreUtterance } from '../src/metrics/index.ts';
import { loadModel } from '../src/offline/transcribe.ts';
import { BENCH_SETTINGS, benchModelDir, loadSamples, runLas, type Row } from './transcribe.ts';

/**
 * Debian's pocketsphinx (CMU Sphinx, HMM + trigram LM, en-us) against this toolkit, on the same
 * samples/ in the same run: time and WER for both. pocketsphinx reads the very audio LAS gets
 * (decoded and resampled to 16 kHz here, written as plain 16-bit WAV). Its times come from its
 * own log (recognition only, model loading excluded), as LAS's do (transcribe() timing).
 * LAS runs each setting of BENCH_SETTINGS (the default decoding first) in each mode, right after
 * pocketsphinx, so that the ratios compare runs made side by side on the same (shared) machine.
 */
const PACKAGES = ['pocketsphinx', 'pocketsphinx-en-us'];
const MODEL_ROOT = '/usr/share/pocketsphinx/model/en-us';
const WAV_HEADER_BYTES = 44; // encodeWav16 writes the canonical 44-byte header
const INSTALL_TIMEOUT_MS = 180_000;

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs the packages with apt-get when missing and possible; returns why not otherwise. */
function ensureInstalled(): string | undefined {
  if (which('pocketsphinx_batch') && existsSync(join(MODEL_ROOT, 'en-us.lm.bin'))) return undefined;
  if (process.getuid?.() !== 0) return `pocketsphinx is not installed and installing needs root: apt-get install ${PACKAGES.join(' ')}`;
  console.log(`pocketsphinx bench: installing ${PACKAGES.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], { stdio: 'inherit', env, timeout: INSTALL_TIMEOUT_MS });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env, timeout: INSTALL_TIMEOUT_MS });
    if (install().status !== 0) return `apt-get could not install ${PACKAGES.join(' ')}`;
  }
  return which('pocketsphinx_batch') ? undefined : 'pocketsphinx_batch is still missing after apt-get install';
}

interface SphinxRun {
  readonly speechSeconds: number;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly hypotheses: Map<string, string>;
}

function runSphinx(dir: string, ids: readonly string[]): SphinxRun {
  writeFileSync(join(dir, 'ctl'), ids.map((id) => `${id}\n`).join(''));
  const log = join(dir, 'log');
  const hyp = join(dir, 'hyp');
  execFileSync(
    'pocketsphinx_batch',
    ['-adcin', 'yes', '-adchdr', String(WAV_HEADER_BYTES), '-cepdir', dir, '-cepext', '.wav', '-ctl', join(dir, 'ctl'), '-hmm', join(MODEL_ROOT, 'en-us'), '-lm', join(MODEL_ROOT, 'en-us.lm.bin'), '-dict', join(MODEL_ROOT, 'cmudict-en-us.dict'), '-samprate', '16000', '-hyp', hyp, '-logfn', log],
    { stdio: 'ignore', timeout: 600_000 },
  );
  // "INFO: batch.c(777): TOTAL 4.72 seconds speech, 2.32 seconds CPU, 4.62 seconds wall"
  const total = /TOTAL ([\d.]+) seconds speech, ([\d.]+) seconds CPU, ([\d.]+) seconds wall/.exec(readFileSync(log, 'utf8'));
  if (total === null) throw new Error(`no TOTAL line in ${log}`);
  // "the quick brown fox (utt3 -13647)"
  const hypotheses = new Map<string, string>();
  for (const line of readFileSync(hyp, 'utf8').split('\n')) {
    const m = /^(.*?)\s*\((\S+) -?\d+\)$/.exec(line);
    if (m) hypotheses.set(m[2], m[1]);
  }
  return { speechSeconds: Number(total[1]), cpuSeconds: Number(total[2]), wallSeconds: Number(total[3]), hypotheses };
}

const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

export async function benchPocketsphinx(): Promise<Row[]> {
  const missing = ensureInstalled();
  if (missing !== undefined) {
    console.log(`pocketsphinx bench: SKIPPED (${missing})`);
    return [];
  }
  const samples = await loadSamples();
  const dir = mkdtempSync(join(tmpdir(), 'las-sphinx-'));
  try {
    const ids = samples.map((_, i) => `utt${i}`);
    samples.forEach((s, i) => writeFileSync(join(dir, `${ids[i]}.wav`), encodeWav16(s.audio, s.id)));
    const sphinx = runSphinx(dir, ids);
    const sphinxWer = poolScores(samples.map((s, i) => scoreUtterance(s.id, s.reference, sphinx.hypotheses.get(ids[i]) ?? ''))).wer;
    const rows: Row[] = [
      { name: `pocketsphinx en-us: WER on samples/ (${round(sphinx.speechSeconds, 3)} s)`, value: round(100 * sphinxWer, 3), unit: '%' },
      { name: 'pocketsphinx en-us: RTF (wall)', value: round(sphinx.wallSeconds / sphinx.speechSeconds), unit: 'RTF' },
      { name: 'pocketsphinx en-us: RTF (CPU)', value: round(sphinx.cpuSeconds / sphinx.speechSeconds), unit: 'RTF' },
    ];
    const { dir: modelDir, trained } = benchModelDir();
    const model = await loadModel(modelDir, { intraOpThreads: 1 });
    try {
      for (const setting of BENCH_SETTINGS)
      for (const mode of MODE_NAMES) {
        const las = await runLas(model, samples, mode, setting);
        const tag = `LAS ${trained ? '' : '(tiny random) '}${mode} ${setting.name}, same files`;
        rows.push(
          { name: `${tag}: WER`, value: round(100 * las.wer, 3), unit: '%' },
          { name: `${tag}: RTF (wall)`, value: round(las.totalMs / 1000 / las.audioSeconds), unit: 'RTF' },
          { name: `${tag}: RTF (CPU)`, value: round(las.cpuMs / 1000 / las.audioSeconds), unit: 'RTF' },
          { name: `${tag}: time ratio pocketsphinx / LAS (wall)`, value: round(sphinx.wallSeconds / (las.totalMs / 1000), 3), unit: 'x' },
          { name: `${tag}: time ratio pocketsphinx / LAS (CPU)`, value: round(sphinx.cpuSeconds / (las.cpuMs / 1000), 3), unit: 'x' },
        );
      }
    } finally {
      await model.dispose();
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
