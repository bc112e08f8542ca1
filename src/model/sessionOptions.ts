import type { InferenceSession } from 'onnxruntime-node';
import { ConfigError } from '../errors.ts';
import { stripUndefined } from '../util/stripUndefined.ts';
import { prepareOrtEnvironment } from './ortEnvironment.ts';

export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

export const PRECISIONS = ['auto', 'int8', 'float32'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** How the ONNX sessions run. One read-only object; defaults below. */
export interface SessionOptions {
  /**
   * Threads inside one operator. Default 1: the graphs are small, so extra threads mostly add
   * synchronisation, and batch jobs get their parallelism from several files at once.
   */
  readonly intraOpThreads: number;
  /** ONNX Runtime graph rewrites. Default 'all'. */
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  /**
   * Which copy of each graph to load. 'auto' (the default): the int8 one where the bundle has it
   * (config.json `int8File`), else float32. 'int8': the same, but a bundle with no int8 graph at
   * all is an error. 'float32': the float graphs only.
   */
  readonly precision: Precision;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = Object.freeze({
  intraOpThreads: 1,
  graphOptimizationLevel: 'all',
  precision: 'auto',
});

/** Fills defaults and throws ConfigError on a bad value. */
export function validateSessionOptions(options: Partial<SessionOptions> = {}): SessionOptions {
  const merged: SessionOptions = { ...DEFAULT_SESSION_OPTIONS, ...stripUndefined(options) };
  const { intraOpThreads, graphOptimizationLevel, precision } = merged;
  if (!(Number.isInteger(intraOpThreads) && intraOpThreads >= 1 && intraOpThreads <= 256))
    throw new ConfigError(`intraOpThreads must be an integer in 1..256, got ${String(intraOpThreads)}`, 'sessionOptions');
  if (!(GRAPH_OPTIMIZATION_LEVELS as readonly string[]).includes(graphOptimizationLevel))
    throw new ConfigError(
      `graphOptimizationLevel must be one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}, got ${String(graphOptimizationLevel)}`,
      'sessionOptions',
    );
  if (!(PRECISIONS as readonly string[]).includes(precision))
    throw new ConfigError(`precision must be one of ${PRECISIONS.join(', ')}, got ${String(precision)}`, 'sessionOptions');
  return Object.freeze(merged);
}

/**
 * The onnxruntime-node options for these settings (CPU, sequential, one inter-op thread). Every
 * session is created with these, so this is also where the process environment is prepared
 * for onnxruntime (src/model/ortEnvironment.ts: telemetry off, which a long command line crashes).
 */
export function toOrtSessionOptions(options: SessionOptions): InferenceSession.SessionOptions {
  prepareOrtEnvironment();
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.graphOptimizationLevel,
    executionMode: 'sequential',
  };
}
