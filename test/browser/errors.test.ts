import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../src/model/index.ts';
import { startServer, type LasServer } from '../../src/server/server.ts';
import { loadModel } from '../../src/offline/transcribe.ts';
import { connect } from '../server/client.ts';
import { SAMPLES, TINY } from '../streaming/helpers.ts';

/**
 * The page's error states, in Debian's chromium with a fake microphone: what a person sees when
 * the server is down, stops mid-stream, or is busy. In each, the page says what happened in
 * words, the microphone is switched off, and Start works again.
 */
const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = resolve(SAMPLES, 'longform-mixed.wav'); // long enough to still be playing when the server stops

describe.skipIf(!existsSync(CHROMIUM))('the page when things go wrong', () => {
  let model: LoadedModel;
  let browser: BrowserContext;
  let profile: string;
  const servers: LasServer[] = [];

  const serve = async (options: { maxStreams?: number } = {}) => {
    const server = await startServer(model, { port: 0, ...options }, () => {});
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    model = await loadModel(TINY);
    profile = mkdtempSync(join(tmpdir(), 'las-chromium-errors-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${SAMPLE}%noloop`, '--autoplay-policy=no-user-gesture-required', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close().catch(() => undefined);
    await model?.dispose();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const pageState = (page: Page) => page.evaluate(() => (window as any).lasState);
  const expectRecoverable = async (page: Page) => {
    const state = await pageState(page);
    expect(state.micOn).toBe(false);
    expect(await page.locator('#start').isEnabled()).toBe(true);
    expect(await page.locator('#stop').isDisabled()).toBe(true);
    expect(await page.locator('#status').getAttribute('class')).toContain('error');
  };

  it('Start while the server is down says the server is unreachable, not that a script failed', async () => {
    const server = await serve();
    const page = await browser.newPage();
    await page.goto(server.url);
    await server.close();
    await page.click('#start');
    await page.waitForFunction(() => (window as any).lasState.problem !== null, undefined, { timeout: 15_000 });
    const status = await page.locator('#status').innerText();
    expect(status).toMatch(/server at 127\.0\.0\.1:\d+ is unreachable \(is las serve running\?\)/);
    expect(status).not.toMatch(/worklet|module script/i);
    await expectRecoverable(page);
    await page.close();
  });

  it('the server stopping mid-stream keeps the text in progress, switches the microphone off, and Stop cannot erase the error', async () => {
    const server = await serve();
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.selectOption('#mode', 'local');
    await page.click('#start');
    await page.waitForFunction(() => (window as any).lasState.partial.length > 0 && (window as any).lasState.micOn, undefined, { timeout: 20_000 });
    const shownBefore = await page.locator('#finals li').count();
    await server.close();
    await page.waitForFunction(() => (window as any).lasState.problem !== null, undefined, { timeout: 15_000 });
    expect(await page.locator('#status').innerText()).toMatch(/the server stopped .*the text so far is kept/);
    const lines = await page.locator('#finals li').allInnerTexts();
    expect(lines.length).toBe(shownBefore + 1);
    expect(lines.at(-1)).toMatch(/interrupted/);
    expect((await pageState(page)).partial).toBe('');
    await expectRecoverable(page);
    await page.close();
  });

  it('over --max-streams it says the server is busy, in words, and the microphone is off', async () => {
    const server = await serve({ maxStreams: 1 });
    const holder = await connect(server.url);
    holder.sendJson({ type: 'start', sampleRate: 16000, format: 's16' });
    await holder.waitFor((m) => m.type === 'ready');
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.click('#start');
    await page.waitForFunction(() => /busy/.test((window as any).lasState.problem ?? ''), undefined, { timeout: 15_000 });
    const status = await page.locator('#status').innerText();
    expect(status).toMatch(/the server is busy \(.*maximum of 1 streams.*\); the microphone was switched off/);
    expect(status).not.toMatch(/1013|TOO_MANY_STREAMS/);
    await expectRecoverable(page);
    holder.ws.close();
    await page.close();
  });
});
