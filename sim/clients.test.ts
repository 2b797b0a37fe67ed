import { describe, expect, it } from 'vitest';
import { Clients } from './clients.ts';
import type { ClientEnvironment, ClientOptions } from './clients.ts';
import type { NodeHost } from './host.ts';
import { RandomStreams } from './random.ts';

const OPTIONS: ClientOptions = {
  clients: 1, nodes: 3, keys: 1, timeoutMs: 1000, timeoutMsMax: 5000, thinkMsMax: 0, replyLossRatio: 0, attemptsMax: 3,
};

/** Clients against nodes that accept every request and never answer: only timeouts move them. */
function silentCluster(options: ClientOptions): { clients: Clients; waits: number[]; run: (untilMs: number) => void } {
  let now = 0;
  const wakeups: { time: number; client: number; token: number }[] = [];
  const host = { call: () => ({ ok: true }) } as unknown as NodeHost;
  const env: ClientEnvironment = {
    now: () => now,
    host: () => host,
    emit: () => undefined,
    schedule: (time, client, token) => { wakeups.push({ time, client, token }); },
  };
  const clients = new Clients(options, new RandomStreams(7).stream('clients'), env);
  const waits: number[] = [];
  const run = (untilMs: number): void => {
    while (wakeups.length > 0) {
      wakeups.sort((a, b) => a.time - b.time);
      if ((wakeups[0] as { time: number }).time > untilMs) return;
      const next = wakeups.shift() as { time: number; client: number; token: number };
      const before = wakeups.length;
      now = next.time;
      clients.wake(next.client, next.token);
      for (const added of wakeups.slice(before)) waits.push(added.time - now);
    }
  };
  return { clients, waits, run };
}

describe('client retries back off', () => {
  it('doubles the wait on each timeout, and gives up after attemptsMax attempts in the safety phase', () => {
    const { clients, waits, run } = silentCluster(OPTIONS);
    run(60_000);
    // The first operation waits 1 s, 2 s, 4 s and is given up; the next one starts over at 1 s.
    const timeouts = waits.filter((wait) => wait >= OPTIONS.timeoutMs);
    expect(timeouts.slice(0, 4)).toEqual([1000, 2000, 4000, 1000]);
    expect(clients.counters.retries).toBeGreaterThan(0);
    expect(clients.counters.indeterminate + clients.counters.failed).toBeGreaterThan(0);
  });

  it('never waits longer than timeoutMsMax while an operation keeps retrying (the liveness phase)', () => {
    const options = { ...OPTIONS, attemptsMax: 1_000 };
    const { clients, waits, run } = silentCluster(options);
    run(1); // the first call starts
    clients.drain();
    run(100_000);
    expect(clients.counters.calls).toBe(1);
    const timeouts = waits.filter((wait) => wait >= options.timeoutMs);
    expect(timeouts.slice(0, 5)).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(timeouts.every((wait) => wait <= options.timeoutMsMax)).toBe(true);
  });
});

describe('client replies', () => {
  it('are lost at replyLossRatio in the safety phase and never in the liveness phase', () => {
    const calls: { node: number; input: unknown }[] = [];
    let returns = 0;
    const host = { call: () => ({ ok: true }) } as unknown as NodeHost;
    const env: ClientEnvironment = {
      now: () => 0,
      host: () => host,
      emit: (event) => {
        if (event.type === 'call') calls.push({ node: event.node, input: event.input });
        if (event.type === 'return') returns++;
      },
      schedule: () => undefined,
    };
    const clients = new Clients({ ...OPTIONS, replyLossRatio: 1 }, new RandomStreams(7).stream('clients'), env);
    clients.wake(1, 0);
    // The first operation of this seed's client is a write; its node applies it twice over.
    const call = calls[0] as { node: number; input: { type: string; command: never } };
    expect(call.input.type).toBe('command');
    const answer = (): void => clients.applied(call.node, call.input.command, { type: 'ok' });
    answer();
    expect(returns).toBe(0);
    clients.drain();
    answer();
    expect(returns).toBe(1);
    expect(clients.idle).toBe(true);
  });
});
