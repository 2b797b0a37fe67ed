// The paper-only Raft under the default swarm, with the features it does not implement left out:
// a short sweep must pass every checker, and the same implementation with a classic bug planted
// (a vote granted without the up-to-date check) must be caught.
import { describe, expect, it } from 'vitest';
import type { RaftOptions, RequestVote } from '../../core/index.ts';
import type { OptionsOverride } from '../../sim/options.ts';
import { runSimulation } from '../../scenarios/run.ts';
import { specForSeed } from '../../scenarios/spec.ts';
import { PaperRaft, createNode } from './raft.ts';

/** What paper-raft does not implement, switched off on top of whatever the swarm draws. */
const PAPER_ONLY: OptionsOverride = {
  raft: { preVote: false, checkQuorum: false, leaseReads: false },
  snapshotEveryEntries: 0,
  membership: { changeIntervalMsMean: 0, changeAfterElectionRatio: 0 },
};

function run(seed: number, timeMs: number, factory = createNode) {
  const spec = specForSeed(String(seed), { preset: null, override: { ...PAPER_ONLY, durationMs: timeMs }, bugs: [], record: false });
  return runSimulation(spec, { factory });
}

/** The planted bug: grant any vote of the current term not yet given, whatever the candidate's log. */
class NoUpToDateCheck extends PaperRaft {
  override step(message: Parameters<PaperRaft['step']>[0]): void {
    if (message.type === 'RequestVote') {
      const request: RequestVote = { ...message, lastLogIndex: Number.MAX_SAFE_INTEGER, lastLogTerm: Number.MAX_SAFE_INTEGER };
      super.step(request);
      return;
    }
    super.step(message);
  }
}

describe('examples/paper-raft', () => {
  it('passes every checker on seeds 1..16 of the swarm (2 s each)', () => {
    const failed: string[] = [];
    let committed = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const report = run(seed, 2_000);
      if (report.verdict !== 'pass') failed.push(`seed ${seed}: ${report.verdict} ${report.failure?.checker ?? ''} ${report.failure?.message ?? ''}`);
      committed += report.operations;
    }
    expect(failed).toEqual([]);
    expect(committed).toBeGreaterThan(100); // the clients got work done: not a vacuous pass
  });

  it('is caught with a vote granted without the up-to-date check', () => {
    const factory = (options: RaftOptions) => new NoUpToDateCheck(options);
    let first: number | null = null;
    for (let seed = 1; seed <= 50 && first === null; seed++) {
      if (run(seed, 5_000, factory).verdict === 'fail') first = seed;
    }
    expect(first).not.toBeNull();
  });
});
