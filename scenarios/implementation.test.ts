// Another implementation under the harness: whatever it throws ends the run with a verdict naming
// the node and the exception (never an exception out of the run), and its assertInvariants() is
// called after every input.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../core/index.ts';
import type { Message, RaftOptions } from '../core/index.ts';
import { PaperRaft } from '../examples/paper-raft/raft.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

const PAPER_ONLY = {
  nodes: 3,
  durationMs: 3_000,
  raft: { preVote: false, checkQuorum: false, leaseReads: false },
  snapshotEveryEntries: 0,
} as const;

function run(factory: (options: RaftOptions) => PaperRaft, record = false) {
  const spec = specForSeed('7', { preset: 'calm', override: PAPER_ONLY, bugs: [], record });
  return runSimulation({ ...spec, hash: true }, { factory });
}

/** Node 2 dereferences a missing field on its 30th tick. */
class ThrowsTypeError extends PaperRaft {
  private ticks = 0;
  override tick(): void {
    if (this.id === 2 && ++this.ticks === 30) (undefined as unknown as { field: number[] }).field.push(1);
    super.tick();
  }
}

/** Node 1's own check fails once it has seen 20 inputs; nothing else is wrong with it. */
class BrokenInvariant extends PaperRaft {
  private inputs = 0;
  override assertInvariants(): void {
    super.assertInvariants();
    if (this.id === 1 && ++this.inputs > 20) throw new AssertionError('node 1 found itself broken');
  }
}

/** A message storm: every message received is answered with a heartbeat to every peer, twice over. */
class Floods extends PaperRaft {
  private storm: Message[] = [];
  override step(message: Message): void {
    super.step(message);
    for (const to of [1, 2, 3]) {
      if (to === this.id) continue;
      const heartbeat: Message = { type: 'AppendEntries', from: this.id, to, term: 0, prevLogIndex: 0, prevLogTerm: 0,
        entries: [], leaderCommit: 0, round: 0 };
      this.storm.push(heartbeat, heartbeat);
    }
  }
  override hasReady(): boolean {
    return this.storm.length > 0 || super.hasReady();
  }
  override ready(): ReturnType<PaperRaft['ready']> {
    const batch = super.ready();
    const messages = [...batch.messages, ...this.storm];
    this.storm = [];
    return { ...batch, messages };
  }
}

describe('an implementation that throws', () => {
  it('ends the run with a crash verdict naming the node and the exception', () => {
    const report = run((options) => new ThrowsTypeError(options));
    expect(report.verdict).toBe('fail');
    expect(report.failure?.checker).toBe('crash');
    expect(report.failure?.message).toMatch(/^node 2 threw TypeError: Cannot read properties of undefined/);
  });

  it('gives the same trace hash every time', () => {
    const first = run((options) => new ThrowsTypeError(options), true);
    const second = run((options) => new ThrowsTypeError(options), true);
    expect(first.sim.hash).toMatch(/^[0-9a-f]+$/);
    expect(first.sim.hash).toBe(second.sim.hash);
  });

  it('has its assertInvariants() called after every input', () => {
    const report = run((options) => new BrokenInvariant(options));
    expect(report.failure?.checker).toBe('invariants');
    expect(report.failure?.message).toContain('node 1 found itself broken');
  });

  it('passes the same run when nothing throws', () => {
    expect(run((options) => new PaperRaft(options)).verdict).toBe('pass');
  });
});

describe('an implementation that floods the network', () => {
  it('ends the run with a budget verdict that says what was exceeded', () => {
    const report = run((options) => new Floods(options));
    expect(report.verdict).toBe('fail');
    expect(report.failure?.checker).toBe('budget');
    expect(report.failure?.message).toMatch(/messages in one/);
  });
});

describe('a liveness failure under the partition kept through the liveness phase', () => {
  it('names the partition and what it takes to survive it', () => {
    // The built-in core without PreVote and CheckQuorum (a mutant) on a seed whose schedule keeps
    // a one-way cut: what an implementation that declared both but lacks them would see.
    const spec = specForSeed('51', { preset: null, override: { durationMs: 20_000 }, bugs: ['no-prevote-no-checkquorum'], record: false });
    const report = runSimulation(spec);
    expect(report.failure?.checker).toBe('liveness');
    expect(report.failure?.message).toMatch(/node \d hears no one but can still send; cut links .*PreVote and CheckQuorum together/);
  });
});
