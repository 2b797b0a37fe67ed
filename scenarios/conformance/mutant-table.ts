// Which catalogued mutant each conformance test catches, with the checkers on and with them off
// (the test's own checks alone), over seeds 1..N (RAFTSIM_CONFORMANCE_SEEDS, default 2). Prints
// the README's table as Markdown:
//   node --import tsx scenarios/conformance/mutant-table.ts
import { BUG_IDS } from '../../core/index.ts';
import type { BugId } from '../../core/index.ts';
import { CONFORMANCE_TESTS } from './index.ts';
import { runTest } from './suite.ts';
import type { ConformanceTest } from './suite.ts';

function caught(test: ConformanceTest, bug: BugId, seeds: number, checkers: boolean): number {
  let failed = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    if (runTest(test, seed, { bugs: [bug], checkers }).verdict === 'fail') failed++;
  }
  return failed;
}

const seeds = Number(process.env['RAFTSIM_CONFORMANCE_SEEDS'] ?? 2);
const started = performance.now();
const rows: string[] = [];
const byBug = new Map<BugId, number>(BUG_IDS.map((bug) => [bug, 0]));
for (const test of CONFORMANCE_TESTS) {
  const on: string[] = [];
  const off: string[] = [];
  for (const bug of BUG_IDS) {
    const withCheckers = caught(test, bug, seeds, true);
    if (withCheckers > 0) {
      on.push(seeds === 1 ? `\`${bug}\`` : `\`${bug}\` ${withCheckers}/${seeds}`);
      byBug.set(bug, (byBug.get(bug) ?? 0) + 1);
    }
    const alone = caught(test, bug, seeds, false);
    if (alone > 0) off.push(seeds === 1 ? `\`${bug}\`` : `\`${bug}\` ${alone}/${seeds}`);
  }
  rows.push(`| ${test.name} | ${on.length} | ${on.join(', ') || '-'} | ${off.join(', ') || '-'} |`);
  process.stderr.write(`${test.name}: ${on.length} with checkers, ${off.length} alone\n`);
}
process.stdout.write(`| test | caught | mutants caught, checkers on (failing seeds of ${seeds}) | caught by the test's own checks, checkers off |\n|---|---|---|---|\n`);
process.stdout.write(`${rows.join('\n')}\n\n`);
process.stdout.write('| mutant | conformance tests that catch it |\n|---|---|\n');
for (const [bug, count] of byBug) process.stdout.write(`| \`${bug}\` | ${count} |\n`);
process.stderr.write(`${Math.round((performance.now() - started) / 1000)} s\n`);
