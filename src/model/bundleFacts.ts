import { ConfigError } from '../errors.ts';
import type { BundleConfig } from './bundleConfig.ts';
import type { ModeName } from './modeNames.ts';

/**
 * What follows from a bundle's config.json, computed once when the bundle is loaded
 * (LoadedModel.facts) so that no caller derives it again.
 */
export interface BundleFacts {
  /** The rate the front end reads; audio is resampled to it. */
  readonly sampleRate: number;
  /** Seconds between two feature frames (hop / sample rate). */
  readonly hopSeconds: number;
  /** Feature frames per encoder frame (the encoder's time reduction). */
  readonly subsampling: number;
  /** Seconds of one encoder frame: hop x subsampling / sample rate. */
  readonly frameSeconds: number;
  /** Samples that give one encoder frame: one analysis window plus subsampling - 1 hops. */
  readonly minSamples: number;
  /** The attention modes the bundle was trained for. */
  readonly modes: readonly ModeName[];
}

export function bundleFacts(config: BundleConfig): BundleFacts {
  const { frontEnd, subsampling, attention } = config;
  const hopSeconds = frontEnd.hopLength / frontEnd.sampleRate;
  return Object.freeze({
    sampleRate: frontEnd.sampleRate,
    hopSeconds,
    subsampling,
    frameSeconds: (subsampling * frontEnd.hopLength) / frontEnd.sampleRate,
    minSamples: frontEnd.frameLength + (subsampling - 1) * frontEnd.hopLength,
    modes: attention.modes,
  });
}

/**
 * Throws a ConfigError naming `input` (default 'mode') when the bundle was not trained for
 * every one of `modes`.
 */
export function assertModesSupported(facts: Pick<BundleFacts, 'modes'>, modes: readonly string[], input = 'mode'): void {
  const missing = modes.filter((m) => !(facts.modes as readonly string[]).includes(m));
  if (missing.length > 0) throw new ConfigError(`the model supports attention modes ${facts.modes.join(', ')}, not ${missing.map((m) => `"${m}"`).join(', ')}`, input);
}

/**
 * The encoder's subsampling that docs/contracts.md (section 4) fixes: what a caller may assume
 * before a bundle is loaded (the CLI's flag checks). A loaded bundle's own factor is
 * `facts.subsampling`, and the recognizer and transcribe() check against that one.
 */
export const CONTRACT_SUBSAMPLING = 4;
