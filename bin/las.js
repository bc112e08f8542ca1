#!/usr/bin/env node
// The `las` command. The toolkit is TypeScript run through tsx's loader, so there is no build
// step: registering the loader here lets `npx las` work straight after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
