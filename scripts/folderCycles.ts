/**
 * Import cycles between folders (../shared/STYLE.md, convention 13): features depend on a core they
 * share, the shell depends on features, nothing depends back. ESLint's zones say which layer may
 * import which; this check says that inside a layer the folders form no loop.
 *
 * How it works: every non-test .ts/.tsx file under renderer/, shared/ and electron/ is read, its
 * relative imports (static, `export … from`, `import type` and dynamic `import()` alike — a type
 * import is a dependency of the design even if it is erased) are resolved to files, and each file
 * is mapped to its folder: `renderer/<feature>`, `shared/<folder>`, `electron/<folder>/<sub>`
 * (files directly in a layer or in `electron/<folder>` belong to that folder). Tarjan's algorithm
 * finds the strongly connected components of the folder graph; every component of two or more
 * folders is a cycle, reported with one import that makes each edge of it, so the report names the
 * line to change. Tests, fixtures and declaration files are left out: a test may import its own
 * folder's neighbours freely.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The layers whose folders must not import each other in a loop. */
export const LAYERS = ['renderer', 'shared', 'electron'] as const;

/** One import from one source file to another, both relative to the repository root. */
export interface FileImport {
  readonly from: string;
  readonly to: string;
}

/** A folder that imports another folder, with the first file import that makes it so. */
export interface FolderEdge {
  readonly from: string;
  readonly to: string;
  readonly example: FileImport;
}

/** A set of folders that reach each other, with the imports between them. */
export interface FolderCycle {
  readonly folders: readonly string[];
  readonly edges: readonly FolderEdge[];
}

/** Is this file left out of the check (tests, their fixtures, declaration files)? */
export function isTestOrSupport(path: string): boolean {
  const parts = path.split('/');
  return (
    /\.(test|spec)\.tsx?$/.test(path) ||
    path.endsWith('.d.ts') ||
    parts.includes('fixtures') ||
    parts.includes('__tests__')
  );
}

/** The folder a repository-relative path belongs to, or undefined outside the checked layers. */
export function folderOf(path: string): string | undefined {
  const parts = path.split('/');
  const layer = parts[0];
  if (!(LAYERS as readonly string[]).includes(layer ?? '')) return undefined;
  // parts: [layer, …folders, file]
  const depth = layer === 'electron' ? 2 : 1;
  const folders = parts.slice(1, -1).slice(0, depth);
  return [layer, ...folders].join('/');
}

function listSources(root: string, folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name)) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  // A tree without one of the layers (a test's small fixture tree) simply has no files there.
  if (existsSync(join(root, folder))) walk(join(root, folder));
  return out.sort();
}

/** Resolves a relative specifier the way Vite and `moduleResolution: Bundler` do for our sources. */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  const base = resolve(root, dirname(from), specifier);
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
  ];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return relative(root, candidate).split(sep).join('/');
    } catch {
      // not this candidate
    }
  }
  return undefined;
}

/** Every relative import of a production source file of the tree at `root`. */
function productionImports(root: string): FileImport[] {
  const imports: FileImport[] = [];
  for (const layer of LAYERS) {
    for (const file of listSources(root, layer)) {
      if (isTestOrSupport(file)) continue;
      const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
      for (const { fileName } of info.importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const target = resolveSpecifier(root, file, fileName);
        if (target) imports.push({ from: file, to: target });
      }
    }
  }
  return imports;
}

/** Every relative import between checked (production) source files of the tree at `root`. */
export function collectImports(root: string): FileImport[] {
  return productionImports(root).filter((item) => !isTestOrSupport(item.to));
}

/**
 * Imports from production code of test support (tests, `fixtures/` folders): test support lives
 * beside the tests and is left out of the production builds (tsconfig.shared.json and
 * tsconfig.renderer.json exclude `fixtures/`), so production code must not need it.
 */
export function importsOfTestSupport(root: string): FileImport[] {
  return productionImports(root).filter((item) => isTestOrSupport(item.to));
}

/** The folder graph of a list of file imports; imports within one folder are no edge. */
export function folderEdges(imports: readonly FileImport[]): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const item of imports) {
    const from = folderOf(item.from);
    const to = folderOf(item.to);
    if (!from || !to || from === to) continue;
    const key = `${from}\u0000${to}`;
    if (!edges.has(key)) edges.set(key, { from, to, example: item });
  }
  return [...edges.values()];
}

/** The strongly connected components of two or more folders (Tarjan, iterative order by name). */
export function findCycles(edges: readonly FolderEdge[]): FolderCycle[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
    if (!next.has(edge.to)) next.set(edge.to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return components
    .map((folders) => {
      const members = new Set(folders);
      return {
        folders,
        edges: edges
          .filter((edge) => members.has(edge.from) && members.has(edge.to))
          .sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`)),
      };
    })
    .sort((a, b) => a.folders[0]!.localeCompare(b.folders[0]!));
}

/** A report a person can act on: each cycle, and for each edge in it the import to look at. */
export function describeCycles(cycles: readonly FolderCycle[]): string {
  return cycles
    .map((cycle) =>
      [
        `cycle between ${cycle.folders.join(', ')}:`,
        ...cycle.edges.map(
          (edge) =>
            `  ${edge.from} -> ${edge.to}  (${edge.example.from} imports ${edge.example.to})`,
        ),
      ].join('\n'),
    )
    .join('\n');
}
