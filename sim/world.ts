// What the parts of one run share (sim/simulation.ts): the clock, the nodes, the network, the
// trace, and the queue of actions the event loop dispatches. The fault injector and the liveness
// phase act on the run through this, and nothing else.
import type { Message, NodeId, NodeStatus } from '../core/index.ts';
import type { VirtualClock } from './clock.ts';
import type { TraceEvent } from './events.ts';
import type { FaultEvent, LeaderFault } from './faults.ts';
import type { MembershipTimer } from './membership-changes.ts';
import type { NodeHost } from './host.ts';
import type { Network } from './network.ts';
import type { SimOptions } from './options.ts';

/** One entry of the event loop's queue, dispatched at its virtual time. */
export type Action =
  | { readonly kind: 'tick'; readonly node: NodeId; readonly epoch: number }
  | { readonly kind: 'deliver'; readonly id: number; readonly message: Message }
  | { readonly kind: 'fault'; readonly fault: FaultEvent }
  | { readonly kind: 'leader-crash'; readonly node: NodeId; readonly fault: LeaderFault }
  | { readonly kind: 'leader-cut-heal'; readonly cut: number }
  | { readonly kind: 'client'; readonly client: number; readonly token: number }
  | { readonly kind: 'membership'; readonly timer: MembershipTimer; readonly token: number }
  | { readonly kind: 'liveness' }
  | { readonly kind: 'probe' };

export interface World {
  readonly options: SimOptions;
  readonly clock: VirtualClock;
  readonly network: Network<Message>;
  readonly hosts: readonly NodeHost[];
  host(node: NodeId): NodeHost;
  emit(event: TraceEvent): void;
  /** Queues an action at a virtual time. */
  schedule(time: number, action: Action): void;
  /** Counts a fault that happened, by kind. */
  countFault(kind: string): void;
  /** Starts a crashed node again (and its ticks); false when it was up. */
  restart(host: NodeHost): boolean;
  /** Resumes a paused node: its held messages are delivered, its ticks go on. */
  resume(host: NodeHost): void;
}

/** The running leader of the highest term (a deposed one may not know it yet), or null. */
export function runningLeader(hosts: readonly NodeHost[]): NodeStatus | null {
  let leader: NodeStatus | null = null;
  for (const host of hosts) {
    const status = host.up ? host.node?.status() : undefined;
    if (status?.role === 'leader' && (leader === null || status.term > leader.term)) leader = status;
  }
  return leader;
}
