import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/index.ts';
import { FRAME_LENGTH } from '../../src/audio/constants.ts';
import type { LoadedModel } from '../../src/model/index.ts';
import type { StreamRecord } from '../../src/server/options.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { SAMPLES, TINY } from '../streaming/helpers.ts';

/**
 * The page, end to end: Debian's chromium, headless, with a fake microphone that plays a
 * sample file, captures it through the AudioWorklet and streams it to the real server, which
 * recognises it and sends back partial and final events the page shows. The check: each final
 * the page shows equals offline decoding of the audio the server received for that utterance
 * (with tiny-random, gibberish that only matches if the whole path is exact).
 */
const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = resolve(SAMPLES, 'flite-kal-sentence.wav');
const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts');
const MODEL = process.env.LAS_TEST_MODEL ?? TINY;

if (!existsSync(CHROMIUM)) console.warn(`test/browser skipped: ${CHROMIUM} is missing (Debian: apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('the page in chromium', () => {
  let model: LoadedModel;
  let server: LasServer;
  let browser: BrowserContext;
  let profile: string;
  let sampleSeconds: number;
  let sampleEnergy: number;
  const records: StreamRecord[] = [];

  beforeAll(async () => {
    model = await loadModel(MODEL);
    server = await startServer(model, { port: 0, onStreamEnd: (r) => records.push(r) }, () => {});
    const sample = await readWavFile(SAMPLE);
    sampleSeconds = sample.samples.length / 16000;
    sampleEnergy = sample.samples.reduce((sum, x) => sum + x * x, 0);
    profile = mkdtempSync(join(tmpdir(), 'las-chromium-'));
    // A fresh profile (user-data-dir) per run.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 800 },
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${SAMPLE}%noloop`,
        '--autoplay-policy=no-user-gesture-required',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await model?.dispose();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Records the sample through the page in `mode`; returns the page's state and the server's record of the stream. */
  async function recordSample(page: Page, mode: 'local' | 'global', liveShot?: string): Promise<{ state: any; record: StreamRecord }> {
    const before = records.length;
    await page.selectOption('#mode', mode);
    await page.click('#start');
    await page.waitForFunction(() => (window as any).lasState.ready !== null, undefined, { timeout: 15_000 });
    if (liveShot !== undefined) {
      await page.waitForFunction(() => (window as any).lasState.partials >= 5, undefined, { timeout: 15_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, liveShot) });
    }
    // The fake device plays the file once (%noloop); then half a second more.
    await page.waitForFunction((seconds) => (window as any).lasState.secondsSent >= seconds, sampleSeconds + 0.5, { timeout: 20_000 });
    await page.click('#stop');
    await page.waitForFunction(() => (window as any).lasState.done, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById('stop')!.hasAttribute('disabled'));
    expect(records.length).toBe(before + 1);
    return { state: await page.evaluate(() => (window as any).lasState), record: records.at(-1)! };
  }

  async function expectFinalsMatchOffline(state: any, record: StreamRecord, mode: 'local' | 'global') {
    expect(state.errors).toEqual([]);
    expect(state.finals.length).toBeGreaterThan(0);
    expect(state.finals.at(-1).reason).toBe('end');
    // The server got the sample (the fake microphone worked): at least half its energy.
    const energy = record.audio.samples.reduce((sum, x) => sum + x * x, 0);
    expect(energy).toBeGreaterThan(0.5 * sampleEnergy);
    expect(record.audio.samples.length / 16000).toBeGreaterThanOrEqual(sampleSeconds);
    expect(state.finals.map((f: any) => f.text).join(' ').length).toBeGreaterThan(0);
    for (const f of state.finals) {
      const samples = record.audio.samples.subarray(Math.round(f.start * 16000), Math.round(f.end * 16000));
      const offline = transcribe({ samples, sampleRate: 16000 }, { model, mode }); // the stream's finals decode with the offline defaults
      if (samples.length < FRAME_LENGTH) {
        // Shorter than one analysis frame: offline decoding refuses it, and the stream must
        // have decoded nothing from it either (no speech, empty text).
        await expect(offline).rejects.toMatchObject({ code: 'TOO_SHORT' });
        expect(f).toMatchObject({ text: '', noSpeech: true });
      } else {
        expect(f.text).toBe((await offline).text);
      }
    }
    // What the page shows is what the server sent.
    const sent = record.events.filter((e) => e.type === 'final').map((e) => (e as { text: string }).text);
    expect(state.finals.map((f: any) => f.text)).toEqual(sent);
  }

  it('local mode: partial text while the sample plays, finals equal to offline decoding, a picture of the attention window', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(server.url);
    const { state, record } = await recordSample(page, 'local', 'browser-local-live.png');
    expect(state.partials).toBeGreaterThan(3);
    await expectFinalsMatchOffline(state, record, 'local');
    const shown = await page.locator('#finals li').allInnerTexts();
    expect(shown.length).toBe(state.finals.filter((f: any) => f.text !== '').length);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'browser-local.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('global mode: no partials, the finals arrive at the end and equal offline global decoding', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const { state, record } = await recordSample(page, 'global');
    expect(state.partials).toBe(0);
    await expectFinalsMatchOffline(state, record, 'global');
    await page.close();
  });
});
