export { ok, failed, mapItem, mapItemAsync, type Item, type Ok, type Failed } from './item.ts';
export { decodeAudio, type AudioSource } from './decodeAudio.ts';
export { resampleTo } from './resampleTo.ts';
export { logMelFrames } from './logMelFrames.ts';
export { logMelStream } from './logMelStream.ts';
export { scoreAgainst } from './scoreAgainst.ts';
export { scoreReport, type ScoreReport } from './scoreReport.ts';
