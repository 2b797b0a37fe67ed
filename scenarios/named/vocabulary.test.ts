// The scenario vocabulary drives the real simulator: held timers stop elections, a forced timer
// starts one, the message filter drops what it selects, faults land in the schedule, and scripted
// client calls are recorded with their returns.
import { describe, expect, it } from 'vitest';
import { Cluster, LAB_UNRELIABLE, ScenarioError, labOptions, scenarioOptions } from '../vocabulary.ts';

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

function lab(nodes = 3, override = {}): Cluster {
  return new Cluster({ scenario: 'test', seed: 5, options: labOptions({ nodes, ...override }) });
}

describe('the lab-style vocabulary', () => {
  it('LAB_TIMING: no PreVote, no CheckQuorum, 100 ms heartbeats, 300 to 600 ms elections', () => {
    const options = labOptions();
    expect(options.raft.preVote).toBe(false);
    expect(options.raft.checkQuorum).toBe(false);
    expect(options.raft.heartbeatTicks * options.tickMs).toBe(100);
    expect(options.raft.electionTicks * options.tickMs).toBe(300);
  });

  it('disconnect and connect compose with the current cut', () => {
    const c = lab(5);
    c.partition([1, 2], [3, 4, 5]);
    c.disconnect(3);
    expect(c.connectedNodes()).toEqual([1, 2, 4, 5]);
    const cut = (): string[] => {
      const last = c.schedule.at(-1);
      return last?.type === 'partition' ? last.cut.map(([a, b]) => `${a}>${b}`) : [];
    };
    // 1-2 | 4-5 stays cut, and 3 is cut from 4 and 5 as well.
    expect(cut()).toContain('1>4');
    expect(cut()).toContain('3>4');
    expect(cut()).toContain('4>3');
    c.connect(3);
    expect(cut()).not.toContain('3>4');
    expect(cut()).toContain('3>1');
    expect(cut()).toContain('1>3');
    c.heal();
    c.disconnect(2);
    c.disconnect(4);
    c.connect(2);
    expect(cut().filter((link) => link.includes('2'))).toEqual(['2>4', '4>2']);
    c.connect(4);
    expect(c.schedule.at(-1)?.type).toBe('heal');
  });

  it('one() commits a command on n nodes and returns its index; oneLeader and noLeader look at connected nodes', () => {
    const c = lab();
    const leader = c.oneLeader();
    const index = c.one('x', 3, { retry: false });
    expect(c.nCommitted(index).count).toBe(3);
    c.disconnect(leader);
    const others = c.nodeIds.filter((node) => node !== leader);
    c.disconnect(others[0] as number);
    c.runMs(2_000);
    expect(c.noLeader()).toBe(true);
    expect(() => c.one('y', 2, { withinMs: 1_000 })).toThrow(ScenarioError);
    c.connect(others[0] as number);
    expect(c.one('z', 2)).toBeGreaterThan(index);
    expect(c.finish(null).verdict).toBe('pass');
  });

  it('tasks run concurrently with the script, in simulated milliseconds', () => {
    const c = lab();
    c.oneLeader();
    const seen: number[] = [];
    let agreed = 0;
    c.go('ticker', (function* (): Generator<number, void, void> {
      for (let i = 0; i < 3; i++) {
        seen.push(c.now);
        yield 100;
      }
    })());
    for (let j = 0; j < 3; j++) {
      c.go(`client ${j}`, (function* (): Generator<number, void, void> {
        yield* c.agreement(`v${j}`, 3);
        agreed++;
      })());
    }
    const start = seen[0] as number;
    c.runMs(350);
    expect(seen).toEqual([start, start + 100, start + 200]);
    expect(agreed).toBe(3);
  });

  it('network settings change mid-script, single messages can be delayed, and messages are counted by type', () => {
    const c = lab();
    c.oneLeader();
    const before = c.messageStats();
    c.setNetwork(LAB_UNRELIABLE);
    expect(c.network.lossRatio).toBe(0.1);
    c.runMs(3_000);
    expect(c.simulation.result().counters.dropsByReason['loss'] ?? 0).toBeGreaterThan(0);
    c.setNetwork({ lossRatio: 0 });
    const after = c.messageStats();
    expect(after.rpcs).toBeGreaterThan(before.rpcs);
    expect(after.byType['AppendEntries']?.count).toBeGreaterThan(0);
    expect(after.bytes).toBeGreaterThan(before.bytes);
    c.delayMessages('every append by 5 s', (message) => (message.type === 'AppendEntries' ? 5_000 : 0));
    const sent = c.now;
    c.runMs(1_000);
    const delivered = c.events.filter((event) => event.type === 'deliver' && event.time > sent && event.time < sent + 1_000);
    const appendIds = new Set(c.events.filter((event) => event.type === 'send' && event.time >= sent && event.message.type === 'AppendEntries')
      .map((event) => (event.type === 'send' ? event.id : -1)));
    expect(appendIds.size).toBeGreaterThan(0);
    expect(delivered.some((event) => event.type === 'deliver' && appendIds.has(event.id))).toBe(false);
  });

  it('with the checkers off only the script decides', () => {
    const c = new Cluster({ scenario: 'test', seed: 5, options: labOptions({ nodes: 3 }), checkers: false });
    c.oneLeader();
    c.check('a check of its own', false, 'planted');
    const report = c.finish(null);
    expect(report.verdict).toBe('fail');
    expect(report.failure?.checker).toBe('scenario');
    expect(report.lin).toBeNull();
  });
});
