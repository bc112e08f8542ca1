import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layer order of the source tree (../shared/STYLE.md item 2), from the ground floor up. A
 * file may import its own folder and any lower floor, never a higher one. Folders on one floor
 * must not import each other, except for the pairs in SIDEWAYS. `pipelines/` (outside src/)
 * only composes rx operators, so it stands between rx and its users.
 */
export const FLOORS: readonly (readonly string[])[] = [
  ['util'],
  ['audio'],
  ['features'],
  ['model'],
  ['attention'],
  ['decoding'],
  ['metrics'],
  ['offline', 'streaming'],
  ['report'],
  ['rx'],
  ['pipelines'],
  ['queue'],
  ['server', 'cli'],
];

/** Imports between two folders of one floor that must exist, and why. */
export const SIDEWAYS: Readonly<Record<string, string>> = {
  // transcribe() cuts a recording at pauses with the streaming recognizer itself (VAD and
  // endpoint rules), so `las transcribe`, `las listen` and `las serve` cut at the same places.
  'offline->streaming': 'the offline segmenter is the streaming recognizer without partial text',
  // `las serve` is argument parsing that starts the WebSocket server.
  'cli->server': 'las serve starts the server',
};

/** Top-level files of src/ with their floor; src/index.ts is the package entry, above everything. */
const TOP_FILES: Readonly<Record<string, string>> = { 'errors.ts': 'util', 'packageRoot.ts': 'util' };
const ENTRY = 'src/index.ts';

export const REPO = resolve(import.meta.dirname, '../..');

export interface ImportRef {
  /** The importing file, relative to the repository root with '/' separators. */
  readonly from: string;
  /** The specifier as written, or undefined for a dynamic import of a computed value. */
  readonly specifier: string | undefined;
  readonly line: number;
  readonly kind: 'import' | 'export' | 'dynamic' | 'type';
}

/** Every module reference of one file: static imports, `export ... from`, `import()` and `typeof import()`. */
export function importsOf(file: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (node: ts.Node, kind: ImportRef['kind'], spec: ts.Node | undefined) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const specifier = spec !== undefined && ts.isStringLiteralLike(spec) ? spec.text : undefined;
    refs.push({ from: file, specifier, line, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, 'import', node.moduleSpecifier);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) add(node, 'export', node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, 'import', node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, 'dynamic', node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, 'type', node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** The floor index of a repository path, Infinity for the package entry, undefined when it has none. */
export function floorOf(path: string): { readonly folder: string; readonly floor: number } | undefined {
  if (path === ENTRY) return { folder: 'index', floor: Number.POSITIVE_INFINITY };
  const parts = path.split('/');
  let folder: string | undefined;
  if (parts[0] === 'src' && parts.length === 2) folder = TOP_FILES[parts[1]];
  else if (parts[0] === 'src') folder = parts[1];
  else if (parts[0] === 'pipelines') folder = 'pipelines';
  if (folder === undefined) return undefined;
  const floor = FLOORS.findIndex((names) => names.includes(folder));
  return floor < 0 ? undefined : { folder, floor };
}

/** Why `ref` breaks the layer order, or undefined when it keeps it. Package imports are always fine. */
export function violation(ref: ImportRef): string | undefined {
  const where = `${ref.from}:${ref.line}`;
  if (ref.specifier === undefined) return `${where}: ${ref.kind} import of a computed specifier cannot be checked`;
  if (!ref.specifier.startsWith('.')) return undefined;
  const target = posix.normalize(posix.join(posix.dirname(ref.from), ref.specifier));
  const source = floorOf(ref.from);
  if (source === undefined) return `${where}: ${ref.from} is in no layer (add its folder to FLOORS)`;
  const dest = floorOf(target);
  if (dest === undefined) return `${where}: imports ${target}, which is in no layer`;
  if (dest.folder === source.folder || source.floor === Number.POSITIVE_INFINITY) return undefined;
  if (dest.floor < source.floor) return undefined;
  if (dest.floor === source.floor && SIDEWAYS[`${source.folder}->${dest.folder}`] !== undefined) return undefined;
  const how = dest.floor === source.floor ? 'a folder on the same floor' : 'a higher floor';
  return `${where}: ${source.folder}/ imports ${target} (${dest.folder}/, ${how})`;
}

/** The TypeScript files under `dir` (relative to the repository root), recursively. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) out.push(relative(REPO, join(entry.parentPath, entry.name)).split('\\').join('/'));
  }
  return out.sort();
}

export function importsOfFile(path: string): ImportRef[] {
  return importsOf(path, readFileSync(join(REPO, path), 'utf8'));
}
