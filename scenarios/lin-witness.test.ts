// The applied-log witness against the plain search on the simulator's own histories (issue 18):
// short swarm runs of the correct core and of each of the 20 catalogued mutants, the online
// checkers off so that a buggy run goes on to the end and leaves its history whole, plus for each
// run a variant with the outputs of two reads of one key swapped (mostly a stale read). Wherever the
// plain search decides, the check with the witness (and with the open operations that never
// reached the applied log left out) must give the same verdict. RAFTSIM_WITNESS_SEEDS=N runs N
// seeds per core and RAFTSIM_WITNESS_TIME_MS the safety phase (the defaults keep the suite fast;
// the README quotes a larger run); RAFTSIM_WITNESS_REPORT=1 prints the counts per core.
import { describe, expect, it } from 'vitest';
import { BUG_IDS } from '../core/index.ts';
import type { BugId } from '../core/index.ts';
import type { History, HistoryOperation } from '../reports/history.ts';
import { historyEventFilter, historyFromTrace } from '../reports/history.ts';
import { checkHistory } from '../reports/lin/check.ts';
import { eraseModel, kvModel } from '../reports/lin/model.ts';
import type { TraceEvent } from '../sim/events.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

const SEEDS = Number(process.env['RAFTSIM_WITNESS_SEEDS'] ?? 8);
const TIME_MS = Number(process.env['RAFTSIM_WITNESS_TIME_MS'] ?? 5_000);
const BUDGET_STEPS = 300_000;
const model = eraseModel(kvModel(''));

function historyOf(seed: number, bugs: readonly BugId[]): History {
  const spec = specForSeed(String(seed), { preset: null, override: { durationMs: TIME_MS, livenessMs: 10_000 }, bugs, record: false });
  const keep = historyEventFilter();
  const events: TraceEvent[] = [];
  runSimulation({ ...spec, checkers: false, linearizability: false }, { sink: (event) => { if (keep(event)) events.push(event); } });
  return historyFromTrace(events);
}

/** Swap the values two completed reads of the busiest read key returned (the first and the last). */
function swapReads(history: History): History | null {
  const reads = new Map<string, number[]>();
  history.operations.forEach((operation, index) => {
    if (operation.input.f === 'get' && operation.output?.type === 'value') {
      const list = reads.get(operation.input.key) ?? [];
      list.push(index);
      reads.set(operation.input.key, list);
    }
  });
  const busiest = [...reads.values()].sort((a, b) => b.length - a.length)[0];
  if (busiest === undefined || busiest.length < 2) return null;
  const [first, last] = [busiest[0]!, busiest[busiest.length - 1]!];
  const operations: HistoryOperation[] = [...history.operations];
  operations[first] = { ...history.operations[first]!, output: history.operations[last]!.output };
  operations[last] = { ...history.operations[last]!, output: history.operations[first]!.output };
  return { ...history, operations };
}

interface Tally { histories: number; decided: number; fail: number; witnessPassedKeys: number; witnessFailedKeys: number; mismatches: string[] }

function compare(name: string, history: History, tally: Tally): void {
  tally.histories++;
  const plain = checkHistory(history, model, { budgetSteps: BUDGET_STEPS, witness: false, appliedLog: false });
  const witness = checkHistory(history, model, { budgetSteps: BUDGET_STEPS });
  for (const key of witness.keys) {
    if (key.witness === 'passed') tally.witnessPassedKeys++;
    if (key.witness === 'failed') tally.witnessFailedKeys++;
  }
  if (plain.verdict === 'unknown') return;
  tally.decided++;
  if (plain.verdict === 'fail') tally.fail++;
  if (witness.verdict !== plain.verdict) tally.mismatches.push(`${name}: plain ${plain.verdict}, witness ${witness.verdict}`);
}

describe('the applied-log witness on simulated histories', () => {
  const cores: readonly (readonly BugId[])[] = [[], ...BUG_IDS.map((bug) => [bug])];
  it.each(cores.map((bugs) => [bugs.join(',') || 'correct core', bugs] as const))('%s: the verdict of the plain search wherever it decides', (name, bugs) => {
    const tally: Tally = { histories: 0, decided: 0, fail: 0, witnessPassedKeys: 0, witnessFailedKeys: 0, mismatches: [] };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const history = historyOf(seed, bugs);
      compare(`${name} seed ${seed}`, history, tally);
      const swapped = swapReads(history);
      if (swapped !== null) compare(`${name} seed ${seed} with two reads swapped`, swapped, tally);
    }
    expect(tally.mismatches).toEqual([]);
    // The comparison had something to compare: decided histories, failures among them (the swapped
    // reads at least), and keys the witness decided. (At least one decided history a seed: a run at
    // the swarm's shortest tick holds more operations, and some exceed the search's budget.)
    expect(tally.decided).toBeGreaterThanOrEqual(SEEDS);
    expect(tally.fail).toBeGreaterThan(0);
    expect(tally.witnessPassedKeys).toBeGreaterThan(0);
    if (bugs.length === 0) expect(tally.fail).toBeLessThan(tally.decided);
    if (process.env['RAFTSIM_WITNESS_REPORT'] === '1') console.log(`${name}: ${JSON.stringify({ ...tally, mismatches: tally.mismatches.length })}`);
  });
});
