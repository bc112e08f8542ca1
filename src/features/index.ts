export {
  DEFAULT_FRONTEND,
  FRAME_LENGTH,
  HOP_LENGTH,
  SAMPLE_RATE,
  validateFrontEnd,
  type FrontEndConfig,
  type NormStats,
} from './config.ts';
export { hzToMel, melToHz, melFilterbank, type MelFilterbank } from './melFilterbank.ts';
export { frameCount, hannPeriodic } from './frameAnalyser.ts';
export { computeLogMel, type Features } from './logMel.ts';
export type { SamplesInput } from './input.ts';
export { createLogMelStream, type LogMelStream } from './logMelStream.ts';
export { normalise, validateNormStats } from './normalise.ts';
