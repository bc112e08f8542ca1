#!/usr/bin/env node
// The `las` (and `las-speech`) command. An installed package runs the compiled code in dist/.
// A source checkout, which has src/ beside this file and tsx among its dev dependencies, runs the
// TypeScript sources through tsx instead, so an edit takes effect without a rebuild (dist/ may be
// stale there); LAS_CLI=dist runs the build in a checkout too (the start-up benchmark does).
import { existsSync } from 'node:fs';
import { relayServe, shouldRelayServe } from './serveTuning.js';

// `las serve` runs in a child started with memory settings (bin/serveTuning.js); this process relays.
if (shouldRelayServe(process.argv.slice(2), process.env)) {
  process.exitCode = await relayServe();
} else {
  await run();
}

async function run() {
  const source = new URL('../src/cli/main.ts', import.meta.url);
  const fromSource = process.env.LAS_CLI !== 'dist' && existsSync(source);
  if (fromSource) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  const { main, exitQuietlyOnBrokenPipe } = await import(fromSource ? source.href : '../dist/src/cli/main.js');
  exitQuietlyOnBrokenPipe(process.stdout);
  process.exitCode = await main(process.argv.slice(2));
}
