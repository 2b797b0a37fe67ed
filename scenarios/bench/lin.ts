// Linearizability checker benchmark on Porcupine's reference histories (parsing excluded),
// against Porcupine's own figures on this machine class: 263 ms for the 102 etcd histories and
// 80 ms for c50-ok. Each figure is the median of a few repetitions, after one warm-up.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { History } from '../../reports/history.ts';
import { parseEtcdLog, parseKvLog } from '../../reports/history.ts';
import { checkHistory } from '../../reports/lin/check.ts';
import type { Model } from '../../reports/lin/model.ts';
import { eraseModel, kvModel, registerModel } from '../../reports/lin/model.ts';

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

export async function benchLinearizability(): Promise<{ metric: string; value: number; unit: string }[]> {
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
  ];
  return figures;
}
