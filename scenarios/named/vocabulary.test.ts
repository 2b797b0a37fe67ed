// The scenario vocabulary drives the real simulator: held timers stop elections, a forced timer
// starts one, the message filter drops what it selects, faults land in the schedule, and scripted
// client calls are recorded with their returns.
import { describe, expect, it } from 'vitest';
import { Cluster, ScenarioError, scenarioOptions } from '../vocabulary.ts';

function cluster(nodes = 3): Cluster {
  return new Cluster({ scenario: 'test', seed: 3, options: scenarioOptions({ nodes }) });
}

describe('the Cluster vocabulary', () => {
  it('held timers keep every node a follower; firing one timer elects that node', () => {
    const c = cluster();
    c.holdTimers(c.nodeIds);
    c.runTicks(50);
    expect(c.leaders()).toEqual([]);
    expect(c.nodeIds.map((node) => c.status(node)?.term)).toEqual([0, 0, 0]);
    c.fireElectionTimer(2);
    c.runTicks(3);
    expect(c.leaders()).toEqual([2]);
  });

  it('waitForLeader gives up with a ScenarioError past its bound', () => {
    const c = cluster();
    c.holdTimers(c.nodeIds);
    expect(() => c.waitForLeader({ ticksMax: 5 })).toThrow(ScenarioError);
  });

  it('a message filter drops what it selects, at delivery', () => {
    const c = cluster();
    c.dropMessages('every vote request', (message) => message.type === 'RequestVote');
    c.runTicks(60);
    expect(c.leaders()).toEqual([]);
    const drops = c.events.filter((event) => event.type === 'drop');
    expect(drops.length).toBeGreaterThan(0);
    c.dropMessages('', null);
    expect(c.waitForLeader({ ticksMax: 80 })).toBeGreaterThan(0);
  });

  it('faults are applied now and recorded as the schedule; client calls return', () => {
    const c = cluster();
    const leader = c.waitForLeader({ ticksMax: 60 });
    const write = c.put(leader, 'k', 'v');
    expect(c.waitForReturn(write)).toEqual({ type: 'result', result: { type: 'ok' } });
    const read = c.read(leader, 'k');
    expect(c.waitForReturn(read)).toEqual({ type: 'result', result: { type: 'value', value: 'v' } });
    const follower = c.nodeIds.find((node) => node !== leader) as number;
    const refused = c.put(follower, 'k', 'w');
    expect(refused.output).toEqual({ type: 'unknown' });
    c.crash(follower);
    expect(c.status(follower)).toBeNull();
    c.restart(follower);
    c.partition([leader], c.nodeIds.filter((node) => node !== leader));
    c.heal();
    expect(c.schedule.map((fault) => fault.type)).toEqual(['crash', 'restart', 'partition', 'heal']);
    expect(c.schedule.every((fault) => fault.at === c.now)).toBe(true);
    const report = c.finish(null);
    expect(report.verdict).toBe('pass');
    expect(report.operations).toBe(3);
  });
});
