// Every named scenario passes the checkers and its own assertions, and behaves exactly as its
// golden trace says. Regenerate the goldens with RAFTSIM_REWRITE=1 npx vitest run scenarios/named
// and review the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findScenario, runScenario, SCENARIO_SEED, SCENARIOS } from './index.ts';
import { renderEvent } from './render.ts';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const REWRITE = process.env['RAFTSIM_REWRITE'] === '1';

function goldenPath(name: string): string {
  return join(GOLDEN_DIR, `${name}.txt`);
}

describe('named scenarios', () => {
  it('the catalogue holds the thirteen scenarios, each with a one-sentence purpose', () => {
    expect(SCENARIOS.map((scenario) => scenario.name).sort()).toEqual([
      'backup', 'churn', 'disruptive-server', 'figure-7', 'figure-8', 'leader-crash', 'lost-unsynced', 'membership',
      'rejoin', 'snapshot-catch-up', 'split-brain', 'split-vote', 'stale-read',
    ]);
    for (const scenario of SCENARIOS) expect(scenario.purpose).toMatch(/^[A-Z].*\.$/);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: passes every checker and its own assertions, and matches its golden trace`, () => {
      const report = runScenario(scenario, SCENARIO_SEED);
      expect(report.checks.filter((check) => !check.ok)).toEqual([]);
      expect(report.failure).toBeNull();
      expect(report.verdict).toBe('pass');
      expect(report.checks.length).toBeGreaterThan(2);
      const path = goldenPath(scenario.name);
      if (REWRITE) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(path, report.golden);
      }
      expect(existsSync(path), `${path} is missing: run RAFTSIM_REWRITE=1 npx vitest run scenarios/named`).toBe(true);
      expect(report.golden).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('the assertions hold on other seeds too (timings move, behaviour does not)', () => {
    for (const scenario of SCENARIOS) {
      for (const seed of [2, 3]) {
        const report = runScenario(scenario, seed);
        expect(report.checks.filter((check) => !check.ok), `${scenario.name} seed ${seed}`).toEqual([]);
        expect(report.verdict, `${scenario.name} seed ${seed}`).toBe('pass');
      }
    }
  });

  it('a scenario run is deterministic: the same seed gives the same trace hash', () => {
    const scenario = findScenario('churn');
    expect(scenario).not.toBeNull();
    if (scenario === null) return;
    const first = runScenario(scenario, 9);
    const second = runScenario(scenario, 9);
    expect(first.sim.hash).toBe(second.sim.hash);
    expect(runScenario(scenario, 10).sim.hash).not.toBe(first.sim.hash);
  });

  it('figure-8 catches commit-prev-term-by-count: the mutant commits index 2 by counting and loses it', () => {
    const scenario = findScenario('figure-8');
    if (scenario === null) throw new Error('figure-8 missing');
    const report = runScenario(scenario, SCENARIO_SEED, ['commit-prev-term-by-count']);
    expect(report.verdict).toBe('fail');
    expect(['leader-completeness', 'state-machine-safety', 'durability', 'scenario']).toContain(report.failure?.checker);
  });

  // A scenario built for a bug must fail when that bug is switched on in the core.
  it.each([
    ['stale-read', 'read-local-on-leader'],
    ['disruptive-server', 'no-prevote-no-checkquorum'],
    ['lost-unsynced', 'ack-before-durable'],
    ['figure-7', 'vote-skip-uptodate-check'],
    ['rejoin', 'ae-truncate-without-conflict'],
  ] as const)('%s fails under the mutant %s', (name, bug) => {
    const scenario = findScenario(name);
    if (scenario === null) throw new Error(`${name} missing`);
    expect(runScenario(scenario, SCENARIO_SEED, [bug]).verdict).toBe('fail');
  });

  it('split-vote shows a term with no leader; split-brain shows two leaders in different terms', () => {
    const vote = runScenario(findScenario('split-vote') ?? SCENARIOS[0] as never);
    expect(vote.sometimes?.splitVotes).toBeGreaterThanOrEqual(1);
    const brain = runScenario(findScenario('split-brain') ?? SCENARIOS[0] as never);
    const leaders = (brain.sim.events ?? []).filter((event) => event.type === 'role' && event.role === 'leader');
    const pairs = leaders.map((event) => (event.type === 'role' ? `${event.node}@${event.term}` : ''));
    expect(new Set(pairs).size).toBeGreaterThanOrEqual(2);
    expect(brain.sometimes?.depositions).toBeGreaterThanOrEqual(1);
  });

  it('the golden rendering leaves out messages but keeps faults, roles, appends, commits and client calls', () => {
    const report = runScenario(findScenario('leader-crash') ?? SCENARIOS[0] as never);
    const events = report.sim.events ?? [];
    expect(events.some((event) => event.type === 'send')).toBe(true);
    for (const event of events) {
      const line = renderEvent(event);
      const hidden = ['send', 'deliver', 'drop', 'duplicate', 'apply'].includes(event.type);
      expect(line === null, event.type).toBe(hidden);
    }
    for (const word of ['crash', 'restart', 'leader t', 'append', 'commit', 'call n', 'return ok']) {
      expect(report.golden).toContain(word);
    }
  });
});
