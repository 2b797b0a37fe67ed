// No import cycle among the project's modules (type-only imports and dynamic imports included):
// each file's imports point one way, so any module can be read, tested and loaded on its own.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|tsImport\(\s*['"](\.[^'"]+)['"]/g;

function sources(folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'testdata' ? [] : sources(path);
    return /\.(ts|tsx|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every cycle's files, as found by a depth-first walk of the import graph. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

describe('imports', () => {
  it('finds a cycle, including one through a type-only import', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(cycles(new Map([['a', ['b']], ['b', []], ['c', ['a', 'b']]]))).toEqual([]);
  });

  it('has no cycle among the project\'s modules', () => {
    const files = ['core', 'sim', 'reports', 'scenarios', 'examples'].flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    const graph = new Map(files.map((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const targets = [...text.matchAll(IMPORT)].map((match) => normalize(join(dirname(file), (match[1] ?? match[2] ?? match[3]) as string)));
      return [file, targets.filter((target) => existsSync(join(root, target)))];
    }));
    // The graph sees static, type-only, dynamic and worker imports.
    expect(graph.get(join('scenarios', 'cli', 'sim.ts'))).toContain(join('scenarios', 'cli', 'runs.ts'));
    expect(graph.get(join('reports', 'checkers', 'availability.ts'))).toContain(join('reports', 'checkers', 'types.ts'));
    expect(graph.get(join('scenarios', 'cli', 'thread.mjs'))).toContain(join('scenarios', 'cli', 'thread-entry.ts'));
    expect(cycles(graph).map((cycle) => cycle.map((file) => relative('.', file)).join(' -> '))).toEqual([]);
  });
});
