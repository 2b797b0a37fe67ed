// Linearizability checker benchmark on Porcupine's reference histories (parsing excluded),
// against Porcupine's own figures on this machine class: 263 ms for the 102 etcd histories and
// 80 ms for c50-ok. Each figure is the median of a few repetitions, after one warm-up. Then the
// simulator's own histories: default swarm seeds from 100001 (RAFTSIM_BENCH_LIN_SEEDS of them,
// 300 by default, about a minute and a half), their unknown verdicts per 1,000 seeds, and the
// time of the applied-log witness over their histories.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { History } from '../../reports/history.ts';
import { historyEventFilter, historyFromTrace, parseEtcdLog, parseKvLog } from '../../reports/history.ts';
import { checkHistory, operationsOf } from '../../reports/lin/check.ts';
import type { Model } from '../../reports/lin/model.ts';
import { eraseModel, kvModel, registerModel } from '../../reports/lin/model.ts';
import { appliedLogWitness, staleOperations, verifyLinearization } from '../../reports/lin/witness.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';

export interface BenchFigure {
  metric: string;
  value: number;
  unit: string;
}

const REPETITIONS = 5;
const dataDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../reports/lin/testdata/porcupine');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeChecks(histories: readonly History[], model: Model<unknown>, expected: readonly string[] | null): number {
  const start = performance.now();
  histories.forEach((history, index) => {
    const verdict = checkHistory(history, model).verdict;
    const want = expected?.[index];
    if (want !== undefined && verdict !== want) throw new Error(`benchmark history ${index} gave ${verdict}, expected ${want}`);
  });
  return performance.now() - start;
}

function measure(histories: readonly History[], model: Model<unknown>, expected: readonly string[] | null): number {
  timeChecks(histories, model, expected);
  return Math.round(median(Array.from({ length: REPETITIONS }, () => timeChecks(histories, model, expected))) * 10) / 10;
}

const FIRST_SEED = 100_001;
const SEEDS = Number(process.env['RAFTSIM_BENCH_LIN_SEEDS'] ?? 300);

/**
 * The witness alone over a history: every key walked in log order and its order verified. The
 * time leaves out reading the history into operations and partitions, which every check does.
 */
function witnessHistory(history: History, model: Model<unknown>): { keys: number; passed: number; ms: number } {
  const operations = operationsOf(history, model);
  const partitions = model.partition(operations);
  const start = performance.now();
  const stale = staleOperations(operations);
  let passed = 0;
  for (const partition of partitions) {
    const outcome = appliedLogWitness(model, partition.operations, stale);
    if (outcome.ok && verifyLinearization(model, partition.operations, outcome.order) === null) passed++;
  }
  return { keys: partitions.length, passed, ms: performance.now() - start };
}

/** Default swarm seeds (120 s each) as a sweep runs them: verdicts, and the witness timed on their histories. */
function simulatorHistories(print: (line: string) => void): BenchFigure[] {
  const model = eraseModel(kvModel(''));
  const counts = { pass: 0, fail: 0, unknown: 0 };
  let witnessMs = 0;
  let keys = 0;
  let passedKeys = 0;
  let operations = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    const spec = specForSeed(String(seed), { preset: null, override: {}, bugs: [], record: false });
    const keep = historyEventFilter();
    const events: TraceEvent[] = [];
    const report = runSimulation(spec, { sink: (event) => { if (keep(event)) events.push(event); } });
    counts[report.verdict]++;
    if (report.verdict !== 'pass') print(`lin: seed ${seed} ${report.verdict}${report.failure === null ? '' : ` (${report.failure.checker})`}`);
    const history = historyFromTrace(events);
    operations += history.operations.length;
    const witnessed = witnessHistory(history, model);
    witnessMs += witnessed.ms;
    keys += witnessed.keys;
    passedKeys += witnessed.passed;
  }
  print(`lin: default swarm seeds ${FIRST_SEED}..${FIRST_SEED + SEEDS - 1}: ${counts.pass} passed, ${counts.fail} failed, ${counts.unknown} unknown; `
    + `the witness decided ${passedKeys} of ${keys} keys (${operations} operations) in ${witnessMs.toFixed(1)} ms`);
  return [
    { metric: 'lin.unknown_per_1000_default_seeds', value: Math.round((counts.unknown * 1000 / SEEDS) * 10) / 10, unit: `per 1000 seeds (${counts.unknown} of seeds ${FIRST_SEED}..${FIRST_SEED + SEEDS - 1})` },
    { metric: 'lin.witness_ms', value: Math.round(witnessMs * 10) / 10, unit: `ms (${SEEDS} histories, ${operations} operations)` },
    { metric: 'lin.witness_keys_decided_ratio', value: keys === 0 ? 0 : Math.round((passedKeys / keys) * 10000) / 10000, unit: `(${passedKeys} of ${keys} keys)` },
  ];
}

export async function benchLinearizability(print: (line: string) => void = () => undefined): Promise<{ metric: string; value: number; unit: string }[]> {
  const etcdFiles = readdirSync(join(dataDirectory, 'jepsen')).filter((name) => /^etcd_\d{3}\.log$/.test(name)).sort();
  const etcd = etcdFiles.map((name) => parseEtcdLog(readFileSync(join(dataDirectory, 'jepsen', name), 'utf8')))
    .filter((history) => history.operations.length > 0);
  const kv = (name: string): History => parseKvLog(readFileSync(join(dataDirectory, 'kv', `${name}.txt`), 'utf8'));
  const register = eraseModel(registerModel(null));
  const keyValue = eraseModel(kvModel());
  const figures: BenchFigure[] = [
    { metric: 'lin.etcd_total_ms', value: measure(etcd, register, null), unit: 'ms' },
    { metric: 'lin.c50_ok_ms', value: measure([kv('c50-ok')], keyValue, ['pass']), unit: 'ms' },
    { metric: 'lin.c50_bad_ms', value: measure([kv('c50-bad')], keyValue, ['fail']), unit: 'ms' },
    ...(SEEDS > 0 ? simulatorHistories(print) : []),
  ];
  return figures;
}
