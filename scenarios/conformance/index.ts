// Every conformance test, in the order the suite runs them.
import { AGREEMENT_TESTS } from './agreement.ts';
import { ELECTION_TESTS } from './elections.ts';
import { PERSISTENCE_TESTS } from './persistence.ts';
import { SNAPSHOT_TESTS } from './snapshots.ts';
import type { ConformanceTest } from './suite.ts';

export const CONFORMANCE_TESTS: readonly ConformanceTest[] = [
  ...ELECTION_TESTS, ...AGREEMENT_TESTS, ...PERSISTENCE_TESTS, ...SNAPSHOT_TESTS,
];

export function conformanceTest(name: string): ConformanceTest | undefined {
  return CONFORMANCE_TESTS.find((test) => test.name === name);
}
