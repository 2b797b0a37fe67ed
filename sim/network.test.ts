import { describe, expect, it } from 'vitest';
import { Network } from './network.ts';
import type { RouteResult } from './network.ts';
import { NO_STALLS } from './options.ts';
import type { NetworkOptions } from './options.ts';
import { createRng } from './random.ts';

interface Packet { readonly from: number; readonly to: number; readonly body: number }

const QUIET: NetworkOptions = {
  delayMsMin: 5, delayMsMax: 20, lossRatio: 0, duplicateRatio: 0, capacityPerLink: 1_000_000, ...NO_STALLS,
};

function network(options: Partial<NetworkOptions> = {}, seed = 1, nodes = 3): Network<Packet> {
  return new Network<Packet>({ ...QUIET, ...options }, createRng(seed, 'network'), nodes, createRng(seed, 'stall'));
}

function packet(from: number, to: number, body = 0): Packet {
  return { from, to, body };
}

function times(result: RouteResult): readonly number[] {
  return result.type === 'deliver' ? result.deliveries : [];
}

/** Sends and immediately hands every copy over, so capacity never interferes. */
function sendMany(net: Network<Packet>, count: number): RouteResult[] {
  return Array.from({ length: count }, (_, body) => {
    const message = packet(1, 2, body);
    const result = net.route(body, message);
    for (let copy = 0; copy < times(result).length; copy++) net.delivered(message);
    return result;
  });
}

describe('Network delays', () => {
  it('delivers one copy within [delayMsMin, delayMsMax] after the send, both ends reached', () => {
    const delays = sendMany(network(), 2_000).map((result, sent) => {
      expect(times(result).length).toBe(1);
      return (times(result)[0] ?? -1) - sent;
    });
    expect(Math.min(...delays)).toBe(5);
    expect(Math.max(...delays)).toBe(20);
  });

  it('reorders: a later message on the same link can arrive first', () => {
    const arrivals = sendMany(network(), 200).map((result) => times(result)[0] ?? 0);
    expect(arrivals.some((arrival, index) => index > 0 && arrival < (arrivals[index - 1] ?? 0))).toBe(true);
  });

  it('is deterministic for a seed and varies between seeds', () => {
    const run = (seed: number): RouteResult[] => sendMany(network({ lossRatio: 0.2, duplicateRatio: 0.2 }, seed), 300);
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});

describe('Network partitions', () => {
  it('a cut link drops at send, with reason partition', () => {
    const net = network();
    net.cut([[1, 2], [2, 1]]);
    expect(net.route(0, packet(1, 2))).toEqual({ type: 'drop', drop: 'partition' });
    expect(net.route(0, packet(2, 1))).toEqual({ type: 'drop', drop: 'partition' });
    expect(net.route(0, packet(1, 3)).type).toBe('deliver');
    expect(net.counters().dropped.partition).toBe(2);
  });

  it('an asymmetric cut stops one direction only', () => {
    const net = network();
    net.cut([[1, 2]]);
    expect(net.isCut(1, 2)).toBe(true);
    expect(net.isCut(2, 1)).toBe(false);
    expect(net.route(0, packet(1, 2)).type).toBe('drop');
    expect(net.route(0, packet(2, 1)).type).toBe('deliver');
  });

  it('heal restores every link, and a new cut replaces the old one', () => {
    const net = network();
    net.cut([[1, 2], [1, 3]]);
    net.cut([[3, 1]]);
    expect(net.currentCut()).toEqual([[3, 1]]);
    expect(net.route(0, packet(1, 2)).type).toBe('deliver');
    net.heal();
    expect(net.currentCut()).toEqual([]);
    expect(net.route(0, packet(3, 1)).type).toBe('deliver');
  });

  it('a copy in flight when its link is cut is reported lost and frees capacity', () => {
    const net = network({ capacityPerLink: 1 });
    const message = packet(1, 2);
    expect(net.route(0, message).type).toBe('deliver');
    net.cut([[1, 2]]);
    expect(net.isCut(message.from, message.to)).toBe(true);
    net.lost(message, 'partition');
    net.heal();
    expect(net.inFlightOn(1, 2)).toBe(0);
    expect(net.route(1, message).type).toBe('deliver');
    expect(net.counters().dropped.partition).toBe(1);
  });
});

describe('Network loss, duplication and capacity', () => {
  it('respects the loss ratio over many sends', () => {
    const results = sendMany(network({ lossRatio: 0.3 }), 10_000);
    const lost = results.filter((result) => result.type === 'drop' && result.drop === 'loss').length;
    expect(lost / results.length).toBeGreaterThan(0.27);
    expect(lost / results.length).toBeLessThan(0.33);
  });

  it('a duplicate is a second copy with its own delay', () => {
    const results = sendMany(network({ duplicateRatio: 1 }), 500);
    for (const result of results) expect(times(result).length).toBe(2);
    expect(results.some((result) => times(result)[0] !== times(result)[1])).toBe(true);
    expect(network({ duplicateRatio: 1 }).counters().duplicated).toBe(0);
    const net = network({ duplicateRatio: 0.2 });
    sendMany(net, 10_000);
    expect(net.counters().duplicated / 10_000).toBeGreaterThan(0.17);
    expect(net.counters().duplicated / 10_000).toBeLessThan(0.23);
  });

  it('drops over capacity, per directed link, until a copy leaves', () => {
    const net = network({ capacityPerLink: 3 });
    const results = Array.from({ length: 5 }, () => net.route(0, packet(1, 2)));
    expect(results.map((result) => result.type)).toEqual(['deliver', 'deliver', 'deliver', 'drop', 'drop']);
    expect(results[4]).toEqual({ type: 'drop', drop: 'capacity' });
    expect(net.route(0, packet(2, 1)).type).toBe('deliver');
    net.delivered(packet(1, 2));
    expect(net.route(0, packet(1, 2)).type).toBe('deliver');
    expect(net.counters()).toMatchObject({ sent: 7, inFlight: 4, dropped: { capacity: 2 } });
  });

  it('makes no duplicate that would overflow the link', () => {
    const net = network({ capacityPerLink: 2, duplicateRatio: 1 });
    expect(times(net.route(0, packet(1, 2))).length).toBe(2);
    net.delivered(packet(1, 2));
    expect(times(net.route(0, packet(1, 2))).length).toBe(1);
    expect(net.inFlightOn(1, 2)).toBe(2);
  });

  it('calm stops loss and duplication', () => {
    const net = network({ lossRatio: 1, duplicateRatio: 1 });
    expect(net.route(0, packet(1, 2)).type).toBe('drop');
    net.calm();
    expect(times(net.route(0, packet(1, 2))).length).toBe(1);
  });

  it('calm stops drops at a full link too', () => {
    const net = network({ capacityPerLink: 1 });
    expect(net.route(0, packet(1, 2)).type).toBe('deliver');
    expect(net.route(0, packet(1, 2))).toEqual({ type: 'drop', drop: 'capacity' });
    net.calm();
    for (let copy = 0; copy < 300; copy++) expect(net.route(0, packet(1, 2)).type).toBe('deliver');
  });
});

describe('Network stalls', () => {
  const STALLS: Partial<NetworkOptions> = { stallRatio: 1, stallMsMin: 1_000, stallMsMax: 1_000 };

  it('a stalled link holds every copy sent over it until the stall ends, then delays it as usual', () => {
    const net = network({ ...STALLS, stallNodeRatio: 0 });
    const arrivals = [0, 300, 999].map((now) => times(net.route(now, packet(1, 2)))[0] ?? -1);
    for (const arrival of arrivals) {
      expect(arrival).toBeGreaterThanOrEqual(1_000 + 5);
      expect(arrival).toBeLessThanOrEqual(1_000 + 20);
    }
    // One stall, started by the first copy; the other links run free.
    expect(net.counters()).toMatchObject({ stalls: 1, held: 3 });
    net.calm();
    expect(times(net.route(0, packet(2, 1)))[0]).toBeLessThanOrEqual(20);
  });

  it('a link stall holds one link; a node stall holds every link out of the sender', () => {
    const wholeNode = network({ ...STALLS, stallNodeRatio: 1 });
    wholeNode.route(0, packet(1, 2));
    wholeNode.setOptions({ ...QUIET });
    expect(times(wholeNode.route(10, packet(1, 3)))[0]).toBeGreaterThanOrEqual(1_000);
    expect(times(wholeNode.route(10, packet(3, 1)))[0]).toBeLessThanOrEqual(30);
    const linkStall = network({ ...STALLS, stallNodeRatio: 0 });
    linkStall.route(0, packet(1, 2));
    linkStall.setOptions({ ...QUIET });
    expect(times(linkStall.route(10, packet(1, 2)))[0]).toBeGreaterThanOrEqual(1_000);
    expect(times(linkStall.route(10, packet(1, 3)))[0]).toBeLessThanOrEqual(30);
  });

  it('held copies still take capacity, so a long stall fills the link and drops the rest', () => {
    const net = network({ ...STALLS, capacityPerLink: 2 });
    const results = [0, 1, 2].map((now) => net.route(now, packet(1, 2)).type);
    expect(results).toEqual(['deliver', 'deliver', 'drop']);
  });

  it('off draws nothing from the stall stream: the same seed routes exactly as before', () => {
    const routes = (net: Network<Packet>): RouteResult[] => sendMany(net, 300);
    const withoutStream = new Network<Packet>({ ...QUIET, lossRatio: 0.2, duplicateRatio: 0.2 }, createRng(4, 'network'), 3);
    expect(routes(network({ lossRatio: 0.2, duplicateRatio: 0.2 }, 4))).toEqual(routes(withoutStream));
    expect(() => new Network<Packet>({ ...QUIET, ...STALLS }, createRng(4, 'network'), 3)).toThrow('stall random stream');
  });

  it('stalls a share of links close to stallRatio, and is deterministic for a seed', () => {
    const run = (seed: number): RouteResult[] => sendMany(network({ stallRatio: 0.01, stallMsMin: 10, stallMsMax: 50 }, seed), 5_000);
    expect(run(3)).toEqual(run(3));
    const net = network({ stallRatio: 0.01, stallMsMin: 1, stallMsMax: 1 }, 5);
    sendMany(net, 20_000);
    expect(net.counters().stalls).toBeGreaterThan(150);
    expect(net.counters().stalls).toBeLessThan(250);
  });
});

describe('Network accounting', () => {
  it('refuses a copy leaving a link with nothing in flight', () => {
    expect(() => network().delivered(packet(1, 2))).toThrow('left a link with none in flight');
  });

  it('refuses unknown nodes and self-sends', () => {
    expect(() => network().route(0, packet(1, 4))).toThrow('to 4 is not a node in 1..3');
    expect(() => network().route(0, packet(0, 1))).toThrow('from 0 is not a node');
    expect(() => network().route(0, packet(2, 2))).toThrow('sends to itself');
    expect(() => network().cut([[1, 9]])).toThrow('to 9 is not a node');
  });
});
