export { MODE_NAMES, type ModeName, type AttentionMode, type AnyAttentionMode, type AttentionWindow, type AttentionParams, type AttentionStateBase } from './types.ts';
export { createGlobalMode, type GlobalState } from './global.ts';
export { createLocalMode, type LocalState } from './localMonotonic.ts';
export { MODES, getMode, isModeName, validateAttentionParams } from './registry.ts';
