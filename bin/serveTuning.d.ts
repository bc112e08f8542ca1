// Types of bin/serveTuning.js (plain JavaScript: bin/las.js runs it before any TypeScript loader).
export declare const SERVE_CHILD_ENV: 'LAS_SERVE_CHILD';
export declare const SEMI_SPACE_FLAG: string;
export declare const MALLOC_SETTINGS: Readonly<Record<'MALLOC_ARENA_MAX' | 'MALLOC_TRIM_THRESHOLD_' | 'MALLOC_MMAP_THRESHOLD_', string>>;
export declare const TUNED_NODE_FLAGS: readonly string[];
export declare function tunedExecArgv(execArgv: readonly string[]): string[];
export declare function tunedServeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function shouldRelayServe(argv: readonly string[], env: NodeJS.ProcessEnv): boolean;
export declare function relayServe(): Promise<number>;
