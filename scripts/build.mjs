// Builds dist/: the compiled JavaScript and .d.ts that the package ships (npm run build; npm
// runs it as `prepare` on `npm install`/`npm ci` in this checkout and before `npm pack`).
//
// tsc rewrites the sources' `./x.ts` import paths to `./x.js` in the JavaScript it emits, but
// leaves them as `.ts` in the declarations. TypeScript 5 resolves those too, yet a consumer on an
// older compiler, or with other tools reading the .d.ts, would not, so the declarations get the
// same `.js` paths as the code.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// `--out DIR` builds elsewhere (test/package builds a fresh copy); it must lie inside this
// package, because the code finds the model bundle and web/ from the package root above it.
const outFlag = process.argv.indexOf('--out');
const dist = outFlag === -1 ? join(root, 'dist') : resolve(process.argv[outFlag + 1]);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: ['ignore', 2, 2] } /* stderr only: `npm pack --json` owns stdout */);

// A relative module specifier ending in .ts, in `from '…'`, `import '…'` or `import('…')`.
const TS_SPECIFIER = /((?:\bfrom|\bimport)\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]*?)\.ts\2/g;
let rewritten = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace(TS_SPECIFIER, (_, head, quote, stem) => `${head}${quote}${stem}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(path, fixed);
    rewritten++;
  }
}
console.error(`build: ${dist} written (${rewritten} declaration files with .ts import paths made .js)`);
