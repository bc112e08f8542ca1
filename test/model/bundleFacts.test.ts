import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { assertModesSupported, bundleFacts, loadBundle, parseBundleConfig } from '../../src/model/index.ts';
import { TINY } from './fixture.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** config.json of the tiny bundle with `edit` applied, parsed. */
function configWith(edit: (c: Record<string, any>) => void) {
  const json = JSON.parse(readFileSync(join(TINY, 'config.json'), 'utf8'));
  edit(json);
  return parseBundleConfig(JSON.stringify(json), 'config.json');
}

describe('bundleFacts', () => {
  it('is computed once on the loaded bundle, from its config', async () => {
    const model = await loadBundle(TINY);
    try {
      // 160-sample hop at 16 kHz, subsampling 4: 40 ms per encoder frame; 400 + 3 x 160 samples give one.
      expect(model.facts).toEqual({ sampleRate: 16000, hopSeconds: 0.01, subsampling: 4, frameSeconds: 0.04, minSamples: 880, modes: ['global', 'local'] });
      expect(Object.isFrozen(model.facts)).toBe(true);
    } finally {
      await model.dispose();
    }
  });

  it('follows the config: another hop and subsampling give another frame duration', () => {
    const facts = bundleFacts(configWith((c) => {
      c.frontEnd.hopLength = 320;
      c.subsampling = 2;
      c.attention.modes = ['local'];
      delete c.encoder.chunkMultiple;
    }));
    expect(facts.frameSeconds).toBeCloseTo(0.04, 12);
    expect(facts.hopSeconds).toBeCloseTo(0.02, 12);
    expect(facts.minSamples).toBe(400 + 320);
    expect(facts.modes).toEqual(['local']);
  });
});

describe('assertModesSupported', () => {
  const facts = { modes: ['local'] as const };
  it('passes the modes the bundle was trained for', () => {
    expect(() => assertModesSupported(facts, ['local'])).not.toThrow();
  });
  it('throws a ConfigError naming the input and every missing mode', () => {
    let error: unknown;
    try {
      assertModesSupported(facts, ['global', 'local'], 'modes');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).input).toBe('modes');
    expect((error as ConfigError).message).toMatch(/the model supports attention modes local, not "global"$/);
  });
});
