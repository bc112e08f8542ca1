import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLOORS, REPO, importsOf, importsOfFile, sourceFiles, violation } from './layers.ts';

/** Violations of the layer order in one file given as text. */
const check = (file: string, text: string) => importsOf(file, text).map(violation).filter((v) => v !== undefined);

describe('layer order of src/ (STYLE.md item 2)', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('pipelines')];
  const refs = files.flatMap(importsOfFile);

  it('no file imports a higher floor, or a folder beside it on its floor', () => {
    expect(refs.map(violation).filter((v) => v !== undefined)).toEqual([]);
  });

  it('reads the imports of the whole tree (so an empty scan cannot pass)', () => {
    expect(files).toContain('src/offline/transcribe.ts');
    expect(files).toContain('pipelines/transcribe-files.ts');
    const relative = refs.filter((r) => r.specifier?.startsWith('.'));
    expect(relative.length).toBeGreaterThan(300);
    expect(relative.some((r) => r.kind === 'dynamic')).toBe(true);
    expect(relative.some((r) => r.kind === 'export')).toBe(true);
  });

  it('every folder of src/ is on a floor', () => {
    const folders = readdirSync(join(REPO, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const known = FLOORS.flat();
    expect(folders.filter((f) => !known.includes(f))).toEqual([]);
  });
});

describe('the checker itself', () => {
  it('finds an upward static import, export-from, dynamic import() and typeof import()', () => {
    expect(check('src/audio/pcm.ts', "import { ok } from '../util/item.ts';\nimport type { Item } from '../rx/index.ts';")).toEqual([
      'src/audio/pcm.ts:2: audio/ imports src/rx/index.ts (rx/, a higher floor)',
    ]);
    expect(check('src/model/x.ts', "export { getMode } from '../attention/registry.ts';")).toHaveLength(1);
    expect(check('src/report/x.ts', "const m = await import('../rx/item.ts');")).toHaveLength(1);
    expect(check('src/metrics/x.ts', "let t: typeof import('../offline/transcribe.ts');")).toHaveLength(1);
    expect(check('src/rx/x.ts', "import { enqueue } from '../queue/enqueue.ts';")).toHaveLength(1);
    expect(check('pipelines/x.ts', "import { main } from '../src/cli/main.ts';")).toHaveLength(1);
  });

  it('allows its own folder, lower floors, package imports and the listed sideways pairs only', () => {
    expect(check('src/rx/x.ts', "import { a } from './item.ts';\nimport { b } from '../audio/index.ts';\nimport { c } from 'rxjs';\nimport { d } from '../errors.ts';")).toEqual([]);
    expect(check('src/offline/x.ts', "import { r } from '../streaming/recognizer.ts';")).toEqual([]);
    expect(check('src/streaming/x.ts', "import { t } from '../offline/transcribe.ts';")).toEqual([
      'src/streaming/x.ts:1: streaming/ imports src/offline/transcribe.ts (offline/, a folder on the same floor)',
    ]);
    expect(check('src/server/x.ts', "import { m } from '../cli/main.ts';")).toHaveLength(1);
  });

  it('the entry may import anything; nothing may import the entry; unplaced files and computed imports fail', () => {
    expect(check('src/index.ts', "export * from './cli/main.ts';")).toEqual([]);
    expect(check('src/cli/x.ts', "import { transcribe } from '../index.ts';")).toHaveLength(1);
    expect(check('src/util/x.ts', "import { x } from '../transcribe.ts';")).toEqual(['src/util/x.ts:1: imports src/transcribe.ts, which is in no layer']);
    expect(check('src/newfolder/x.ts', "import { x } from '../util/item.ts';")).toHaveLength(1);
    expect(check('src/cli/x.ts', 'const m = await import(name);')).toEqual(['src/cli/x.ts:1: dynamic import of a computed specifier cannot be checked']);
  });
});
