// The lease read and leadership transfer regimes of swarm mode: lease reads in a fair share of the
// seeds, only within the lease's assumption (core/raft.ts leaseHolds: drift, pauses, restarts),
// and transfers in another share, never together with lease reads.
import { describe, expect, it } from 'vitest';
import { optionsForSeed, specForSeed } from '../scenarios/spec.ts';
import { generateSchedule } from './faults.ts';
import type { FaultEvent } from './faults.ts';
import {
  DEFAULT_OPTIONS, LEASE_REGIME_RATIO, TRANSFER_REGIME_RATIO, leaseBounds, membershipChangesOn, mergeOptions, swarmLease,
  swarmOptions, swarmTransfers, validateOptions,
} from './options.ts';
import { createRng } from './random.ts';

const seeds = Array.from({ length: 400 }, (_, index) => index + 1);
const drawn = seeds.map((seed) => ({ seed, options: optionsForSeed(seed, null, {}) }));

/** Each node's pause windows and crash windows of a schedule. */
function windows(schedule: readonly FaultEvent[], start: 'pause' | 'crash', end: 'resume' | 'restart'): { node: number; from: number; to: number }[] {
  const open = new Map<number, number>();
  const found: { node: number; from: number; to: number }[] = [];
  for (const event of schedule) {
    if (event.type === start) open.set(event.node, event.at);
    if (event.type === end && open.has(event.node)) {
      found.push({ node: event.node, from: open.get(event.node) as number, to: event.at });
      open.delete(event.node);
    }
  }
  return found;
}

describe('leaseBounds', () => {
  it('follows the core: margin max(1, floor(E/4)) ticks; slack (E-1) shortest ticks less (E-margin) longest ticks', () => {
    const at = (electionTicks: number, clockDriftRatioMax: number) =>
      leaseBounds({ tickMs: 100, clockDriftRatioMax, raft: { ...DEFAULT_OPTIONS.raft, electionTicks } });
    expect(at(5, 0)).toMatchObject({ marginTicks: 1, slackMs: 0, pauseMsMax: 0 });
    expect(at(10, 0)).toMatchObject({ marginTicks: 2, slackMs: 100, pauseMsMax: 0 });
    expect(at(10, 0.05)).toMatchObject({ slackMs: 9 * 95 - 8 * 105, pauseMsMax: 0 });
    expect(at(10, 0.2).slackMs).toBeLessThan(0);
    expect(at(20, 0)).toMatchObject({ marginTicks: 5, slackMs: 400, pauseMsMax: 299 });
    expect(at(20, 0.05)).toMatchObject({ slackMs: 19 * 95 - 15 * 105, pauseMsMax: 230 - 105 - 1 });
    expect(at(20, 0.05).restartMsMin).toBe(21 * 105);
  });
});

describe('the lease regime', () => {
  it('switches lease reads on in a fair share of the default swarm seeds', () => {
    const lease = drawn.filter(({ options }) => options.raft.leaseReads).length;
    // Eligible: CheckQuorum on (half), an election timeout with a margin (not 5 ticks).
    expect(lease).toBeGreaterThan(seeds.length * 0.08);
    expect(lease).toBeLessThan(seeds.length * LEASE_REGIME_RATIO * 0.5);
  });

  it('draws drift, pauses and restarts within the lease margin when it does', () => {
    let paused = 0;
    let crashed = 0;
    for (const { seed, options } of drawn.filter(({ options: drawnOptions }) => drawnOptions.raft.leaseReads)) {
      const bounds = leaseBounds(options);
      expect(options.raft.checkQuorum).toBe(true);
      expect(bounds.slackMs).toBeGreaterThan(0);
      if (options.faults.pauseIntervalMsMean > 0) {
        expect(options.faults.pauseDurationMsMax).toBeLessThanOrEqual(bounds.pauseMsMax);
        expect(options.faults.pauseDurationMsMax + bounds.longestTickMs).toBeLessThan(bounds.slackMs);
      }
      const { schedule } = specForSeed(String(seed), { preset: null, override: {}, bugs: [], record: false });
      const pauses = windows(schedule, 'pause', 'resume');
      paused += pauses.length;
      for (const pause of pauses) {
        expect(pause.to - pause.from + bounds.longestTickMs).toBeLessThan(bounds.slackMs);
        const next = pauses.find((other) => other.node === pause.node && other.from > pause.from);
        if (next !== undefined) expect(next.from - pause.to).toBeGreaterThanOrEqual(bounds.pauseSpacingMs);
      }
      const crashes = windows(schedule, 'crash', 'restart');
      crashed += crashes.length;
      // Power failures (every node at once, the leader too) end no lease early; others stay down a lease.
      const powerFailure = (from: number) => crashes.filter((crash) => crash.from === from).length === options.nodes;
      for (const crash of crashes) if (!powerFailure(crash.from)) expect(crash.to - crash.from).toBeGreaterThanOrEqual(bounds.restartMsMin);
    }
    expect(paused).toBeGreaterThan(0);
    expect(crashed).toBeGreaterThan(0);
  });

  it('keeps pauses within the margin for any options with lease reads, a preset too', () => {
    const options = mergeOptions(DEFAULT_OPTIONS, {
      clockDriftRatioMax: 0.01, raft: { electionTicks: 20, leaseReads: true }, livenessMs: 60_000,
      faults: { pauseIntervalMsMean: 2_000, pauseDurationMsMax: 5_000, crashIntervalMsMean: 2_000, restartDelayMsMax: 10 },
    });
    const bounds = leaseBounds(options);
    const schedule = generateSchedule(options, createRng(3, 'schedule'));
    const pauses = windows(schedule, 'pause', 'resume');
    expect(pauses.length).toBeGreaterThan(5);
    for (const pause of pauses) expect(pause.to - pause.from).toBeLessThanOrEqual(bounds.pauseMsMax);
    for (const crash of windows(schedule, 'crash', 'restart')) expect(crash.to - crash.from).toBeGreaterThanOrEqual(bounds.restartMsMin);
    // Without lease reads the same options keep their short pauses and restarts.
    const plain = generateSchedule(mergeOptions(options, { raft: { leaseReads: false } }), createRng(3, 'schedule'));
    expect(windows(plain, 'pause', 'resume').some((pause) => pause.to - pause.from > bounds.pauseMsMax)).toBe(true);
  });

  it('leaves a seed it does not select as it was', () => {
    for (const seed of seeds.slice(0, 100)) {
      const options = swarmOptions(createRng(seed, 'options'));
      const leased = swarmLease(createRng(seed, 'lease'), options);
      if (!leased.raft.leaseReads) expect(leased).toBe(options);
      else expect({ ...leased, raft: { ...leased.raft, leaseReads: false } }).toMatchObject({ nodes: options.nodes, keys: options.keys });
    }
  });
});

describe('the transfer regime', () => {
  it('asks for transfers in a fair share of the seeds, lease reads among them', () => {
    const transfers = drawn.filter(({ options }) => (options.membership.transferIntervalMsMean ?? 0) > 0);
    expect(transfers.length).toBeGreaterThan(seeds.length * TRANSFER_REGIME_RATIO * 0.4);
    for (const { options } of transfers) expect(membershipChangesOn(options.membership)).toBe(true);
    expect(transfers.some(({ options }) => options.raft.leaseReads)).toBe(true);
    // The core suspends its lease during a transfer, so the combination is valid.
    const lease = mergeOptions(DEFAULT_OPTIONS, { raft: { leaseReads: true } });
    expect(mergeOptions(lease, { membership: { transferIntervalMsMean: 1000 } }).membership.transferIntervalMsMean).toBe(1000);
    expect(seeds.slice(0, 50).some((seed) => swarmTransfers(createRng(seed, 'transfer'), lease) !== lease)).toBe(true);
  });

  it('writes the field only when on, so older records read the same', () => {
    expect('transferIntervalMsMean' in DEFAULT_OPTIONS.membership).toBe(false);
    const on = validateOptions(JSON.parse(JSON.stringify(mergeOptions(DEFAULT_OPTIONS, { membership: { transferIntervalMsMean: 500 } }))));
    expect(on.membership.transferIntervalMsMean).toBe(500);
  });
});
