// Proves the ESLint configuration has teeth: each deliberate violation of docs/design.md's
// dependency direction or determinism rules is reported, and clean code is not.
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? 'parse-error');
}

describe('lint configuration', () => {
  it.each([
    ['core/x.ts', 'export const now = Date.now();', 'no-restricted-globals'],
    ['core/x.ts', 'export const r = Math.random();', 'no-restricted-properties'],
    ['core/x.ts', 'setTimeout(() => undefined, 1);', 'no-restricted-globals'],
    ['core/x.ts', 'export const t = performance.now();', 'no-restricted-globals'],
    ['core/x.ts', 'console.log(1);', 'no-restricted-globals'],
    ['core/x.ts', 'export const a = process.argv;', 'no-restricted-globals'],
    ['core/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", 'no-restricted-imports'],
    ['core/x.ts', "import chalk from 'chalk';\nexport const c = chalk;", 'no-restricted-imports'],
    ['core/x.ts', "import type { TraceEvent } from '../sim/events.ts';\nexport type T = TraceEvent;", 'no-restricted-imports'],
    ['sim/x.ts', 'export const now = new Date();', 'no-restricted-globals'],
    ['sim/x.ts', 'export const r = Math.random();', 'no-restricted-properties'],
    ['sim/x.ts', "import type { Entry } from '../core/types.ts';\nexport type E = Entry;", 'no-restricted-imports'],
    ['sim/x.ts', "import { x } from '../reports/x.ts';\nexport const y = x;", 'no-restricted-imports'],
    ['reports/x.ts', "import { x } from '../scenarios/x.ts';\nexport const y = x;", 'no-restricted-imports'],
  ])('%s rejects: %s', async (filePath, code, rule) => {
    expect(await ruleIds(filePath, code)).toContain(rule);
  });

  it.each([
    ['core/x.ts', "import type { Entry } from './types.ts';\nexport const f = (e: Entry): number => Math.max(e.index, 0);"],
    ['sim/x.ts', "import type { Entry } from '../core/index.ts';\nexport type E = Entry;"],
    ['scenarios/x.ts', 'export const now = Date.now();'],
  ])('%s accepts: %s', async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toEqual([]);
  });
});

describe('mutation points', () => {
  // No mutant relaxes an assertion: every assert in the core holds whatever mutation point is on,
  // so one mutant never hides what another, or the correct core, relies on (the guard against
  // truncating committed entries used to be off whenever any mutant was). Checked on the source,
  // since a relaxed guard only shows on the rare run that reaches it: no assertion line, and
  // nothing in the nodes' own invariants, reads a mutation point (core/mutations.ts; each bug id
  // turns on only its own point, core/mutations.test.ts).
  const sourceOf = (file: string): string => readFileSync(new URL(`../core/${file}`, import.meta.url), 'utf8');
  const readsMutation = (line: string): boolean => /\b(bugs|mutations)\b/.test(line);

  it.each(['raft.ts', 'kv.ts', 'log.ts', 'progress.ts', 'read-only.ts', 'membership.ts', 'quorum.ts'])(
    'leave every assertion of core/%s active', (file) => {
      const guarded = sourceOf(file).split('\n').filter((line) => /\b(assert|fail)\(/.test(line));
      expect(guarded.length).toBeGreaterThan(0);
      expect(guarded.filter(readsMutation)).toEqual([]);
    });

  it('leave the node invariants unconditional', () => {
    const source = sourceOf('raft.ts');
    const start = source.indexOf('  assertInvariants(): void {');
    expect(start).toBeGreaterThan(0);
    const body = source.slice(start, source.indexOf('  // Role changes.', start));
    expect(body.split('\n').length).toBeGreaterThan(20);
    expect(body.split('\n').filter(readsMutation)).toEqual([]);
  });

  it('are read through the typed flags only: no bug id string is tested in the core', () => {
    for (const file of ['raft.ts', 'kv.ts']) expect(sourceOf(file)).not.toMatch(/bugs\.has\(/);
  });
});
