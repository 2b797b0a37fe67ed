// Replay seek benchmark: a generated trace of 1,000,000 events (a 5-node cluster electing
// leaders, replicating, committing and applying, with crashes, partitions and client calls), one
// fold to build the checkpoints, then random seeks. `replay.seek_ms` is the worst seek of the
// sample; the bound is 100 ms.
import { ReplayModel } from '../../reports/replay/model.ts';
import type { EntrySummary, TraceEvent } from '../../sim/events.ts';
import { createRng } from '../../sim/random.ts';
import type { Metric } from './metric.ts';

const EVENTS = 1_000_000;
const NODES = 5;
const SEEKS = 200;

/** A plausible long trace, deterministic from a fixed seed; not a simulation, only its shape. */
export function generateLongTrace(eventCount: number, nodes: number): TraceEvent[] {
  const rng = createRng(1, 'replay-bench');
  const events: TraceEvent[] = [];
  let time = 0;
  let term = 1;
  let leader = 1;
  let lastIndex = 0;
  let messageId = 0;
  let op = 0;
  for (let node = 1; node <= nodes; node++) events.push({ time, type: 'restart', node });
  while (events.length < eventCount) {
    time += rng.int(3);
    const roll = rng.next();
    if (roll < 0.001) {
      term++;
      leader = 1 + rng.int(nodes);
      events.push({ time, type: 'term', node: leader, term, vote: leader }, { time, type: 'role', node: leader, role: 'leader', term });
    } else if (roll < 0.0015) {
      const node = 1 + rng.int(nodes);
      events.push({ time, type: 'crash', node, lostEntries: 0, torn: false }, { time: time + 1, type: 'restart', node });
    } else if (roll < 0.002) {
      events.push({ time, type: 'partition', kind: 'isolate', cut: [[leader, 1 + (leader % nodes)]] }, { time: time + 50, type: 'heal' });
    } else if (roll < 0.3) {
      lastIndex++;
      const entry: EntrySummary = { index: lastIndex, term, digest: rng.int(1 << 30) };
      for (let node = 1; node <= nodes; node++) events.push({ time, type: 'append', node, from: lastIndex, entries: [entry] });
      events.push({ time, type: 'commit', node: leader, index: lastIndex }, { time, type: 'apply', node: leader, entry });
    } else if (roll < 0.4) {
      op++;
      events.push({ time, type: 'call', client: 1 + rng.int(4), op, node: leader, input: { type: 'read', key: `k${rng.int(5)}` } });
      events.push({ time: time + 5, type: 'return', client: 1, op, output: { type: 'unknown' } });
    } else {
      messageId++;
      const to = 1 + rng.int(nodes);
      events.push({ time, type: 'send', id: messageId, message: { type: 'TimeoutNow', from: leader, to, term } });
      events.push({ time: time + 1, type: rng.chance(0.9) ? 'deliver' : 'drop', id: messageId, from: leader, to, reason: 'loss' } as TraceEvent);
    }
  }
  return events.slice(0, eventCount);
}

export function benchReplay(): Metric[] {
  const events = generateLongTrace(EVENTS, NODES);
  const buildStart = performance.now();
  const model = new ReplayModel(events, NODES);
  const buildMs = performance.now() - buildStart;
  const rng = createRng(2, 'replay-bench-seeks');
  for (let warm = 0; warm < 20; warm++) model.frameAt(rng.int(EVENTS));
  const times: number[] = [];
  for (let seek = 0; seek < SEEKS; seek++) {
    // The worst case of a checkpointed seek is the event just before the next checkpoint.
    const target = seek % 2 === 0 ? rng.int(EVENTS) : Math.min(EVENTS - 1, (rng.int(Math.floor(EVENTS / model.checkpointEvery)) + 1) * model.checkpointEvery - 1);
    const start = performance.now();
    model.frameAt(target);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 100) / 100;
  return [
    { metric: 'replay.seek_ms', value: round(times[times.length - 1] ?? Number.NaN), unit: `ms, worst of ${SEEKS} seeks in ${EVENTS} events` },
    { metric: 'replay.seek_median_ms', value: round(times[Math.floor(times.length / 2)] ?? Number.NaN), unit: 'ms' },
    { metric: 'replay.index_ms', value: Math.round(buildMs), unit: `ms to fold ${EVENTS} events into checkpoints` },
  ];
}
