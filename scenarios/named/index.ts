// The catalogue of named scenarios, in the order `npm run sim -- --list` prints them.
import { churn, membership } from './cluster-changes.ts';
import { disruptiveServer, leaderCrash, splitBrain, splitVote } from './elections.ts';
import { backup, lostUnsynced, rejoin, snapshotCatchUp, staleRead } from './logs.ts';
import { figure7, figure8 } from './paper.ts';
import type { Scenario } from './scenario.ts';

export const SCENARIOS: readonly Scenario[] = [
  splitBrain, splitVote, leaderCrash, figure8, figure7, staleRead, rejoin, backup, snapshotCatchUp, disruptiveServer,
  lostUnsynced, membership, churn,
];

export function findScenario(name: string): Scenario | null {
  return SCENARIOS.find((scenario) => scenario.name === name) ?? null;
}

export { runScenario, SCENARIO_SEED } from './scenario.ts';
export type { Scenario } from './scenario.ts';
