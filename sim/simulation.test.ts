// Each fault kind happens and is visible in the trace, with the effect it must have.
import { describe, expect, it } from 'vitest';
import type { TraceEvent, TraceEventOf } from './events.ts';
import { leaderCutSide } from './faults.ts';
import type { FaultEvent } from './faults.ts';
import { cutBetween } from './partitions.ts';
import { PRESETS, mergeOptions } from './options.ts';
import type { OptionsOverride } from './options.ts';
import { ScriptedSimulation } from './scripted.ts';
import { Simulation } from './simulation.ts';
import { judgeTrace } from '../reports/judge.ts';

function simulate(schedule: FaultEvent[], override: OptionsOverride = {}, bugs: string[] = []): TraceEvent[] {
  const options = mergeOptions(PRESETS.calm, { durationMs: 20_000, livenessMs: 20_000, ...override });
  const result = new Simulation({ seed: 5, options, schedule, record: true, bugs: new Set(bugs as never[]) }).run();
  expect(result.halt).toBeNull();
  return result.events as TraceEvent[];
}

function ofType<T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T): TraceEventOf<T>[] {
  return events.filter((event): event is TraceEventOf<T> => event.type === type);
}

describe('simulator faults', () => {
  it('a partition stops delivery across it until it heals', () => {
    const cut: [number, number][] = [];
    for (let other = 2; other <= 5; other++) cut.push([1, other], [other, 1]);
    const events = simulate([
      { at: 3_000, type: 'partition', kind: 'isolate', cut },
      { at: 9_000, type: 'heal' },
    ]);
    expect(ofType(events, 'partition')).toHaveLength(1);
    const across = (event: { from: number; to: number }): boolean => event.from === 1 || event.to === 1;
    const during = ofType(events, 'deliver').filter((event) => event.time > 3_000 && event.time < 9_000 && across(event));
    expect(during).toEqual([]);
    const dropped = ofType(events, 'drop').filter((event) => event.reason === 'partition');
    expect(dropped.length).toBeGreaterThan(0);
    const after = ofType(events, 'deliver').filter((event) => event.time > 9_000 && across(event));
    expect(after.length).toBeGreaterThan(0);
  });

  it('an asymmetric partition cuts one direction only', () => {
    const cut: [number, number][] = [[1, 2], [1, 3], [1, 4], [1, 5]];
    const events = simulate([{ at: 2_000, type: 'partition', kind: 'asymmetric', cut }, { at: 8_000, type: 'heal' }]);
    const during = ofType(events, 'deliver').filter((event) => event.time > 2_000 && event.time < 8_000);
    expect(during.filter((event) => event.from === 1)).toEqual([]);
    expect(during.filter((event) => event.to === 1).length).toBeGreaterThan(0);
  });

  it('a crash of a correct node loses nothing it acknowledged: every write was synced', () => {
    const events = simulate([{ at: 5_000, type: 'crash', node: 2, torn: false }, { at: 7_000, type: 'restart', node: 2 }]);
    const [crash] = ofType(events, 'crash');
    expect(crash?.lostEntries).toBe(0);
  });

  it('a crash loses exactly the unsynced writes (entries the node never synced)', () => {
    // ack-before-durable skips the sync, so every write since the last sync is lost at the crash.
    const events = simulate([{ at: 5_000, type: 'crash', node: 2, torn: false }, { at: 7_000, type: 'restart', node: 2 }],
      {}, ['ack-before-durable']);
    const crashIndex = events.findIndex((event) => event.type === 'crash');
    const crash = events[crashIndex] as TraceEventOf<'crash'>;
    const appended = ofType(events.slice(0, crashIndex), 'append').filter((event) => event.node === 2);
    const lastAppended = Math.max(...appended.map((event) => event.from + event.entries.length - 1));
    const restored = ofType(events.slice(crashIndex), 'append').find((event) => event.node === 2);
    const restoredLast = restored === undefined ? 0 : restored.from + restored.entries.length - 1;
    expect(crash.lostEntries).toBeGreaterThan(0);
    expect(restoredLast).toBeLessThan(lastAppended);
    expect(crash.lostEntries).toBe(lastAppended - restoredLast);
  });

  it('a duplicated message is delivered twice', () => {
    const events = simulate([], { network: { duplicateRatio: 1 } });
    const duplicated = ofType(events, 'duplicate');
    expect(duplicated.length).toBeGreaterThan(100);
    const deliveries = new Map<number, number>();
    for (const event of ofType(events, 'deliver')) deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
    const twice = duplicated.filter((event) => deliveries.get(event.id) === 2).length;
    expect(twice / duplicated.length).toBeGreaterThan(0.9);
  });

  it('a paused node stops (no sends) and resumes with the messages that queued for it', () => {
    const events = simulate([{ at: 4_000, type: 'pause', node: 3 }, { at: 8_000, type: 'resume', node: 3 }]);
    const sends = ofType(events, 'send').filter((event) => event.message.from === 3 && event.time > 4_000 && event.time < 8_000);
    expect(sends).toEqual([]);
    const resumeIndex = events.findIndex((event) => event.type === 'resume');
    const queued = events.slice(resumeIndex + 1).findIndex((event) => event.type === 'deliver' && event.to === 3);
    expect(queued).toBeGreaterThanOrEqual(0);
    expect(events[resumeIndex + 1 + queued]?.time).toBe(8_000);
  });

  it('message loss drops messages with reason loss', () => {
    const events = simulate([], { network: { lossRatio: 0.3 } });
    const lost = ofType(events, 'drop').filter((event) => event.reason === 'loss').length;
    const sent = ofType(events, 'send').length;
    expect(lost / sent).toBeGreaterThan(0.2);
    expect(lost / sent).toBeLessThan(0.4);
  });

  it('a leader crash hits the node leading when it comes, and waits for the next leader when none leads', () => {
    const options = mergeOptions(PRESETS.calm, { durationMs: 20_000, livenessMs: 20_000 });
    const schedule: FaultEvent[] = [
      // At 0 no one leads yet: it waits for the first election. At 8000 it hits the leader then.
      { at: 0, type: 'crash-leader', afterMs: 0, downMs: 3_000, torn: false },
      { at: 8_000, type: 'crash-leader', afterMs: 0, downMs: 3_000, torn: false },
    ];
    const result = new Simulation({ seed: 5, options, schedule, record: true }).run();
    expect(result.halt).toBeNull();
    const events = result.events as TraceEvent[];
    const leaderAt = (time: number): number | undefined => {
      const leaders = new Map<number, number>();
      for (const event of events) {
        if (event.time > time) break;
        if (event.type === 'role') leaders.set(event.node, event.role === 'leader' ? event.term : -1);
        if (event.type === 'crash') leaders.set(event.node, -1);
      }
      return [...leaders].filter(([, term]) => term >= 0).sort((a, b) => b[1] - a[1])[0]?.[0];
    };
    const firstLeader = ofType(events, 'role').find((event) => event.role === 'leader');
    expect(result.leaderCrashes).toHaveLength(2);
    const [first, second] = result.leaderCrashes;
    expect(first).toEqual({ at: firstLeader?.time, node: firstLeader?.node, downMs: 3_000, torn: false });
    expect(second?.at).toBe(8_000);
    expect(second?.node).toBe(leaderAt(7_999));
    const crashes = ofType(events, 'crash').map((event) => [event.time, event.node]);
    const restarts = ofType(events, 'restart').filter((event) => event.time > 0).map((event) => [event.time, event.node]);
    expect(crashes).toEqual(result.leaderCrashes.map((crash) => [crash.at, crash.node]));
    expect(restarts).toEqual(result.leaderCrashes.map((crash) => [crash.at + 3_000, crash.node]));
  });

  it('leader cuts part each new leader from the others, the later replacing the earlier, and heal only their own cut', () => {
    const options = mergeOptions(PRESETS.calm, { nodes: 4, durationMs: 20_000, livenessMs: 20_000 });
    const schedule: FaultEvent[] = [
      // Both wait for elections: the first leader alone, then the next one with one mate.
      { at: 0, type: 'cut-leader', afterMs: 0, downMs: 6_000, mates: 0, shift: 0 },
      { at: 0, type: 'cut-leader', afterMs: 0, downMs: 4_000, mates: 1, shift: 1 },
    ];
    const result = new Simulation({ seed: 7, options, schedule, record: true }).run();
    const events = result.events as TraceEvent[];
    const leaders = ofType(events, 'role').filter((event) => event.role === 'leader');
    expect(result.leaderCuts).toHaveLength(2);
    const [first, second] = result.leaderCuts;
    expect(first?.at).toBe(leaders[0]?.time);
    expect(first?.cut).toEqual(cutBetween([leaders[0]?.node as number], [1, 2, 3, 4].filter((node) => node !== leaders[0]?.node)));
    const next = leaders.find((event) => event.time > (first?.at ?? 0) && event.node !== leaders[0]?.node);
    expect(second?.at).toBe(next?.time);
    // Its mate is not the leader cut before, whose cut is still in force.
    const side = leaderCutSide(next?.node as number, 4, 1, 1, [leaders[0]?.node as number]);
    expect(side).not.toContain(leaders[0]?.node);
    expect(second?.cut).toEqual(cutBetween(side, [1, 2, 3, 4].filter((node) => !side.includes(node))));
    // The first cut was replaced before its heal was due: only the second one's heal happens.
    expect(first?.healAt).toBeNull();
    expect(second?.healAt).toBe((second?.at ?? 0) + 4_000);
    const heals = ofType(events, 'heal').filter((event) => event.time < options.durationMs).map((event) => event.time);
    expect(heals).toEqual([second?.healAt]);
    expect(ofType(events, 'partition').map((event) => event.cut)).toEqual([first?.cut, second?.cut]);
  });

  it('the liveness phase heals, restarts and settles the cluster', () => {
    const events = simulate([{ at: 2_000, type: 'crash', node: 1, torn: false }, { at: 2_000, type: 'crash', node: 2, torn: false },
      { at: 2_000, type: 'crash', node: 3, torn: false }]);
    const liveness = events.findIndex((event) => event.type === 'phase' && event.phase === 'liveness');
    expect(liveness).toBeGreaterThan(0);
    const restarts = ofType(events.slice(liveness), 'restart').map((event) => event.node).sort();
    expect(restarts).toEqual([1, 2, 3]);
    expect(ofType(events.slice(liveness), 'role').some((event) => event.role === 'leader')).toBe(true);
  });

  it('the liveness phase ends only when every node linked to the leader has its commit index', () => {
    const scripted = (dropToFollower: boolean) => {
      const options = mergeOptions(PRESETS.calm, { durationMs: 5_000, livenessMs: 10_000 });
      const simulation = new ScriptedSimulation({ seed: 5, options, schedule: [], record: true, bugs: new Set() });
      simulation.runUntil(2_000);
      // A follower never hears from anyone again while the clients still write, and its links stay
      // up: the leader cannot catch it up.
      const follower = [1, 2, 3].find((node) => simulation.nodeHost(node).node?.status().role === 'follower') ?? 0;
      if (dropToFollower) simulation.setMessageFilter((message) => message.to !== follower);
      return { follower, result: simulation.finish(options.livenessMs) };
    };
    const healthy = scripted(false).result;
    expect(healthy.halt).toBeNull();
    expect(healthy.settled).toBe(true);
    expect(ofType(healthy.events as TraceEvent[], 'checkpoint')).toEqual([]);
    const { follower, result: lagging } = scripted(true);
    expect(follower).toBeGreaterThan(0);
    expect(lagging.settled).toBe(false);
    // The phase writes what it saw; the liveness checker decides from it.
    const [checkpoint] = ofType(lagging.events as TraceEvent[], 'checkpoint');
    expect(checkpoint?.idle).toBe(true);
    const behind = checkpoint?.members.find(([node]) => node === follower);
    expect(behind?.[2]).toBeLessThan(checkpoint?.commit ?? 0);
    expect(behind?.[3]).toBeGreaterThanOrEqual(5_000);
    const judged = judgeTrace(mergeOptions(PRESETS.calm, { durationMs: 5_000, livenessMs: 10_000 }), lagging.events as TraceEvent[]);
    expect(judged.failure?.checker).toBe('liveness');
    expect(judged.failure?.message).toMatch(new RegExp(`^Node ${follower} \\(term \\d+, commit \\d+\\) stayed behind leader \\d \\(term \\d+, commit \\d+\\) with its commit index unmoved for the last \\d+ ms`));
    const commits = ofType(lagging.events as TraceEvent[], 'commit').filter((event) => event.node !== follower);
    expect(commits.length).toBeGreaterThan(0);
  });

  it('a node still catching up when the liveness phase ends is not a failure; the run just does not settle', () => {
    const options = mergeOptions(PRESETS.calm, {
      durationMs: 6_000, livenessMs: 10_000, raft: { maxEntriesPerMessage: 1, maxInflightMessages: 1 },
    });
    const simulation = new ScriptedSimulation({ seed: 5, options, schedule: [], record: true, bugs: new Set() });
    simulation.runUntil(1_000);
    // Node 3 misses the writes of the next 5 s, then gets one append with entries a second.
    simulation.setMessageFilter((message) => message.to !== 3);
    simulation.runUntil(6_000);
    let window = -1;
    simulation.setMessageFilter((message, timeMs) => {
      if (message.to !== 3 || message.type !== 'AppendEntries' || message.entries.length === 0) return true;
      if (Math.floor(timeMs / 1_000) === window) return false;
      window = Math.floor(timeMs / 1_000);
      return true;
    });
    const result = simulation.finish(options.livenessMs);
    expect(result.halt).toBeNull();
    expect(result.settled).toBe(false);
    const [checkpoint] = ofType(result.events as TraceEvent[], 'checkpoint');
    expect(checkpoint?.members.find(([node]) => node === 3)?.[3]).toBeLessThan(5_000);
    expect(judgeTrace(options, result.events as TraceEvent[]).failure).toBeNull();
    const caughtUp = ofType(result.events as TraceEvent[], 'commit').filter((event) => event.node === 3 && event.time > 11_000);
    expect(caughtUp.length).toBeGreaterThan(0);
  });
});
