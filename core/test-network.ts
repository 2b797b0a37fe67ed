// A small hand-driven network for the core's unit tests (not the simulator): messages wait in
// one FIFO queue until a test delivers, drops, duplicates or reorders them. Each node has a
// fixed random source, so a test decides who times out first, and a plain in-memory disk.
import type {
  ClusterConfig, Entry, HardState, KvCommand, Message, NodeId, RaftOptions, RandomSource, ReadState, Snapshot,
} from './types.ts';
import { DEFAULT_RAFT_OPTIONS } from './types.ts';
import { assert } from './assert.ts';
import { RaftNode } from './raft.ts';
import { applyConfChange } from './membership.ts';

/** A random source that always returns `value`: the election timeout is then fixed by it. */
export class FixedRandom implements RandomSource {
  draws = 0;
  constructor(public value = 0.5) {}
  next(): number {
    this.draws++;
    return this.value;
  }
}

export interface Disk {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export interface TestNode {
  readonly id: NodeId;
  node: RaftNode;
  readonly random: FixedRandom;
  readonly disk: Disk;
  /** Everything the host applied, in order (re-applied entries after a restart appear again). */
  readonly applied: Entry[];
  readonly readStates: ReadState[];
  readonly restoredSnapshots: Snapshot[];
  up: boolean;
  readonly options: RaftOptions;
}

export function putCommand(sequence: number, value = `v${sequence}`, key = 'k'): KvCommand {
  return { clientId: 1, sequence, op: { type: 'put', key, value } };
}

export function makeOptions(id: NodeId, config: ClusterConfig, overrides: Partial<RaftOptions> = {}): RaftOptions {
  return { ...DEFAULT_RAFT_OPTIONS, id, config, random: new FixedRandom(), ...overrides };
}

export class TestNetwork {
  readonly nodes: (TestNode | undefined)[] = [];
  /** Messages sent and not yet delivered or dropped, oldest first. */
  queue: Message[] = [];
  /** Every message ever stepped into a node, for counting. */
  readonly delivered: Message[] = [];
  /** Directed links that drop everything: `${from}->${to}`. */
  private readonly cuts = new Set<string>();
  /** Messages matching this are dropped when delivered. */
  dropWhen: ((message: Message) => boolean) | null = null;

  constructor(ids: readonly NodeId[], overrides: Partial<RaftOptions> = {}, config?: ClusterConfig) {
    const clusterConfig = config ?? { voters: [...ids].sort((a, b) => a - b), learners: [] };
    for (const id of ids) this.add(id, makeOptions(id, clusterConfig, { ...overrides, random: new FixedRandom(0.5) }));
  }

  /** Adds a node (a new learner-to-be, or one with a prepared persisted state). */
  add(id: NodeId, options: RaftOptions): TestNode {
    const random = options.random instanceof FixedRandom ? options.random : new FixedRandom();
    const fullOptions = { ...options, random };
    const persisted = options.persisted;
    const disk: Disk = {
      hardState: persisted?.hardState ?? { term: 0, vote: null, commit: 0 },
      snapshot: persisted?.snapshot ?? null,
      entries: persisted?.entries.slice() ?? [],
    };
    const testNode: TestNode = {
      id, node: new RaftNode(fullOptions), random, disk, applied: [], readStates: [], restoredSnapshots: [],
      up: true, options: fullOptions,
    };
    this.nodes[id] = testNode;
    this.drain(id);
    return testNode;
  }

  get(id: NodeId): TestNode {
    const testNode = this.nodes[id];
    assert(testNode !== undefined, `no node ${id}`);
    return testNode;
  }

  node(id: NodeId): RaftNode {
    return this.get(id).node;
  }

  ids(): NodeId[] {
    return this.nodes.flatMap((testNode) => (testNode === undefined ? [] : [testNode.id]));
  }

  /** Carries out a node's Ready batches as a host must: persist, send, apply, advance. */
  drain(id: NodeId): void {
    const testNode = this.get(id);
    for (let round = 0; round < 100 && testNode.node.hasReady(); round++) {
      const ready = testNode.node.ready();
      const disk = testNode.disk;
      if (ready.hardState !== null) disk.hardState = ready.hardState;
      if (ready.snapshot !== null) {
        disk.snapshot = ready.snapshot;
        disk.entries = disk.entries.filter((entry) => entry.index > (ready.snapshot?.metadata.index ?? 0));
      }
      const first = ready.entries[0];
      if (first !== undefined) {
        const keep = first.index - (disk.entries[0]?.index ?? first.index);
        disk.entries.length = Math.max(0, Math.min(disk.entries.length, keep));
        for (const entry of ready.entries) disk.entries.push(entry);
      }
      this.queue.push(...ready.messages);
      if (ready.snapshot !== null) testNode.restoredSnapshots.push(ready.snapshot);
      testNode.applied.push(...ready.committed);
      testNode.readStates.push(...ready.readStates);
      testNode.node.advance();
    }
    assert(!testNode.node.hasReady(), `node ${id} never ran out of Ready`);
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.node(id).tick();
      this.drain(id);
    }
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const id of this.ids()) if (this.get(id).up) this.tick(id);
  }

  /** Steps one message into its destination (unless cut, dropped or down) and drains it. */
  deliverOne(message: Message): void {
    const target = this.nodes[message.to];
    if (target === undefined || !target.up) return;
    if (this.cuts.has(`${message.from}->${message.to}`)) return;
    if (this.dropWhen?.(message) === true) return;
    this.delivered.push(message);
    target.node.step(message);
    this.drain(message.to);
  }

  /** Delivers queued messages (and those they cause) until none is left; returns how many. */
  deliver(limit = 100_000): number {
    let count = 0;
    while (this.queue.length > 0) {
      assert(count < limit, `more than ${limit} messages: the cluster does not settle`);
      const message = this.queue.shift() as Message;
      this.deliverOne(message);
      count++;
    }
    return count;
  }

  /** Removes and returns the queued messages matching the predicate. */
  take(predicate: (message: Message) => boolean): Message[] {
    const taken = this.queue.filter(predicate);
    this.queue = this.queue.filter((message) => !predicate(message));
    return taken;
  }

  /** Ticks `id` until it starts a campaign, then delivers everything. */
  campaign(id: NodeId): void {
    const node = this.node(id);
    const limit = 2 * (this.get(id).options.electionTicks + 1);
    for (let i = 0; i < limit && node.status().role === 'follower'; i++) this.tick(id);
    assert(node.status().role !== 'follower', `node ${id} did not campaign within ${limit} ticks`);
    this.deliver();
  }

  /** Makes `id` the leader by letting it time out first, then settles the cluster. */
  elect(id: NodeId): void {
    this.campaign(id);
    assert(this.node(id).status().role === 'leader', `node ${id} did not win: ${JSON.stringify(this.node(id).status())}`);
  }

  /** One heartbeat from the leader and everything it causes. */
  heartbeat(leader: NodeId): void {
    const ticks = this.get(leader).options.heartbeatTicks;
    this.tick(leader, ticks);
    this.deliver();
  }

  propose(leader: NodeId, sequence: number): void {
    const result = this.node(leader).propose(putCommand(sequence));
    assert(result.ok, `proposal ${sequence} refused: ${JSON.stringify(result)}`);
    this.drain(leader);
  }

  cut(from: NodeId, to: NodeId): void {
    this.cuts.add(`${from}->${to}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.ids()) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  heal(): void {
    this.cuts.clear();
  }

  crash(id: NodeId): void {
    this.get(id).up = false;
    this.queue = this.queue.filter((message) => message.to !== id && message.from !== id);
  }

  /** Rebuilds the node from its disk alone. */
  restart(id: NodeId): void {
    const old = this.get(id);
    const disk = old.disk;
    const persisted = { hardState: disk.hardState, snapshot: disk.snapshot, entries: disk.entries.slice() };
    old.node = new RaftNode({ ...old.options, persisted });
    old.up = true;
    this.drain(id);
  }

  /** Compacts a node's log up to index, as its host would after snapshotting the state machine. */
  compact(id: NodeId, index: number): void {
    const testNode = this.get(id);
    const disk = testNode.disk;
    const term = testNode.node.entries(index, index)[0]?.term;
    assert(term !== undefined, `no entry at ${index} to compact to`);
    let config = disk.snapshot?.metadata.config ?? testNode.options.config;
    for (const entry of disk.entries) {
      if (entry.index <= index && entry.data.type === 'confChange') config = applyConfChange(config, entry.data.change);
    }
    const data = { appliedThrough: index };
    testNode.node.compact(index, data);
    disk.entries = disk.entries.filter((entry) => entry.index > index);
    disk.snapshot = { metadata: { index, term, config }, data };
  }

  termsOf(id: NodeId): number[] {
    const status = this.node(id).status();
    return this.node(id).entries(status.firstIndex, status.lastIndex).map((entry) => entry.term);
  }
}
