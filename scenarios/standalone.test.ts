// The repository stands alone: a user's clone has nothing beside it, so no tracked file may point
// outside it (a sibling folder, a relative path that climbs above the root, or an absolute path of
// some machine). Data the tests need is vendored (reports/lin/testdata/); documents the code cites
// live in docs/.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const thisFile = relative(root, fileURLToPath(import.meta.url)).split(sep).join('/');

/** Home and workspace roots of the machines this project is written and run on. */
const MACHINE_ROOTS = /(?<![\w.~-])\/(?:work|home|root|Users|mnt)\/[\w.-]/;
/** A run of `../` not itself part of a longer name. */
const CLIMB = /(?<![\w.])((?:\.\.\/)+)([\w.-]*)/g;
const SIBLING = ['..', 'shared'].join('/');

/** Whether `line` holds the absolute path `absolute` as a whole path (not '/work' in 'sweep/workflows'). */
function mentions(line: string, absolute: string): boolean {
  for (let at = line.indexOf(absolute); at >= 0; at = line.indexOf(absolute, at + 1)) {
    const before = line[at - 1] ?? ' ';
    const after = line[at + absolute.length] ?? ' ';
    if (!/[\w.~-]/.test(before) && !/[\w.-]/.test(after)) return true;
  }
  return false;
}

export interface OutsideReference { readonly line: number; readonly text: string; readonly why: string }

/**
 * Every place in one file's text that refers outside the repository. `path` is the file's path
 * from the repository root ('/'-separated); a relative path in it is taken from the file's folder,
 * and `absoluteRoots` are absolute paths (this checkout's) that must not
 * appear either.
 */
/** Why one line refers outside the repository, or null. */
function reasonOutside(line: string, depth: number, absoluteRoots: readonly string[]): string | null {
  if (line.includes(SIBLING)) return 'names the sibling folder shared/';
  for (const match of line.matchAll(CLIMB)) {
    const ups = (match[1] ?? '').length / 3;
    if (ups > depth) return `climbs ${ups} folder(s) up from a file ${depth} deep`;
  }
  if (MACHINE_ROOTS.test(line)) return 'an absolute path of a machine';
  for (const absolute of absoluteRoots) if (mentions(line, absolute)) return `the absolute path ${absolute}`;
  return null;
}

export function outsideReferences(path: string, text: string, absoluteRoots: readonly string[]): OutsideReference[] {
  const depth = path.split('/').length - 1;
  const found: OutsideReference[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const why = reasonOutside(line, depth, absoluteRoots);
    if (why !== null) found.push({ line: index + 1, text: line.trim().slice(0, 160), why });
  }
  return found;
}

function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0').filter((name) => name !== '');
  } catch {
    // Not a git checkout (an unpacked archive): every file but installed and generated ones.
    const files: string[] = [];
    const walk = (folder: string): void => {
      for (const name of readdirSync(join(root, folder))) {
        const path = folder === '' ? name : `${folder}/${name}`;
        if (['node_modules', '.git', 'reports/runs', '.vitest-cache', 'coverage'].includes(path)) continue;
        if (statSync(join(root, path)).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk('');
    return files;
  }
}

describe('outsideReferences', () => {
  const roots = ['/srv/build/raftsim', '/srv/build'];
  it('finds the sibling folder, in code and in prose', () => {
    expect(outsideReferences('core/bugs.ts', `// see ${SIBLING}/RAFT-BUGS.md`, roots)).toHaveLength(1);
    expect(outsideReferences('.ci/run', `# runs with ${SIBLING} beside it`, roots)).toHaveLength(1);
  });

  it('finds a relative path that climbs above the root, and only that', () => {
    const climbing = "const data = resolve(here, '../../../elsewhere/data');";
    expect(outsideReferences('scenarios/bench/lin.ts', climbing, roots)[0]?.why).toMatch(/climbs 3/);
    expect(outsideReferences('README.md', 'see [the notes](../notes.md)', roots)).toHaveLength(1);
    expect(outsideReferences('scenarios/bench/lin.ts', "resolve(here, '../../reports/lin/testdata')", roots)).toEqual([]);
    expect(outsideReferences('scenarios/cli/bench.ts', "await import('../bench/lin.ts')", roots)).toEqual([]);
    expect(outsideReferences('README.md', 'npm run sim -- --seeds 1..200', roots)).toEqual([]);
  });

  it('finds absolute paths of a machine and of this checkout', () => {
    expect(outsideReferences('reports/history.ts', '// (/work/notes/README.md)', roots)).toHaveLength(1);
    expect(outsideReferences('README.md', 'cd /home/alice/raftsim', roots)).toHaveLength(1);
    expect(outsideReferences('a.ts', "const f = '/srv/build/raftsim/core/raft.ts';", roots)).toHaveLength(1);
    expect(outsideReferences('scenarios/sweep/workflows.test.ts', 'see /srv/builds and srv/build/x', roots)).toEqual([]);
    expect(outsideReferences('a.ts', "const chromium = '/usr/bin/chromium'; // node_modules/.bin/tsx", roots)).toEqual([]);
  });
});

describe('the repository stands alone', () => {
  it('no tracked file refers outside the repository', () => {
    // The checkout's own path (not its parent: a clone in /tmp/raftsim must not flag every "/tmp").
    const absoluteRoots = [root];
    const files = trackedFiles().filter((path) => path !== thisFile && path !== 'package-lock.json');
    expect(files.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const path of files) {
      const bytes = readFileSync(join(root, path));
      if (bytes.includes(0)) continue; // binary (the report screenshot)
      for (const found of outsideReferences(path, bytes.toString('utf8'), absoluteRoots)) {
        problems.push(`${path}:${found.line}: ${found.why}: ${found.text}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
