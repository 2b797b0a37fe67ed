// The scripted facade (docs/design.md, "Named scenarios"): what a script drives a run with. It
// starts the nodes, moves time forward, injects faults and client events at chosen instants, holds
// timers, filters and delays messages, and ends with the liveness phase. A generated run uses none
// of it (Simulation.run), and a script changes nothing it does not ask for. Unlike a generated run,
// a scripted one ends at its first violation.
import { assert } from '../core/index.ts';
import type { NodeId } from '../core/index.ts';
import type { TraceEvent } from './events.ts';
import type { FaultEvent } from './faults.ts';
import type { NodeHost } from './host.ts';
import type { NetworkOptions } from './options.ts';
import { Simulation } from './simulation.ts';
import type { MessageDelay, MessageFilter, SimulationConfig, SimulationResult, Stop } from './simulation.ts';

export class ScriptedSimulation {
  private readonly simulation: Simulation;

  /** Starts the nodes (and the configured schedule) without scheduling the liveness phase. */
  constructor(config: SimulationConfig) {
    this.simulation = new Simulation({ ...config, haltAt: () => true });
    this.simulation.start();
  }

  get now(): number {
    return this.simulation.now;
  }

  /** Processes every queue event up to `timeMs`; returns false once the run has been halted. */
  runUntil(timeMs: number): boolean {
    return this.simulation.runUntil(timeMs);
  }

  /** Applies a fault now, as if a schedule held it at the current time. */
  injectFault(fault: FaultEvent): void {
    assert(fault.at === this.now, `fault at ${fault.at} injected at ${this.now}`);
    this.simulation.applyFault(fault);
  }

  /** A held node's ticks are skipped: its election timer never fires and, as leader, it sends no heartbeats. */
  holdTimer(node: NodeId, held: boolean): void {
    this.simulation.host(node);
    const heldTimers = this.simulation.controls.heldTimers;
    if (held) heldTimers.add(node);
    else heldTimers.delete(node);
  }

  /** Ticks one node now, outside its schedule (forcing its election timer towards firing). */
  tickNow(node: NodeId): void {
    const host = this.simulation.host(node);
    if (host.up && !host.paused) host.tick();
  }

  setMessageFilter(filter: MessageFilter | null): void {
    this.simulation.controls.messageFilter = filter;
  }

  /** Delays single messages sent from now on by what `delay` returns (the lab's long reordering). */
  setMessageDelay(delay: MessageDelay | null): void {
    this.simulation.controls.messageDelay = delay;
  }

  /** Changes the network's settings from now on; copies already in flight keep their delivery times. */
  setNetworkOptions(network: NetworkOptions): void {
    this.simulation.setNetworkOptions(network);
  }

  /** The host of `node`, for status, logs and client calls; scripts must not mutate it. */
  nodeHost(node: NodeId): NodeHost {
    return this.simulation.host(node);
  }

  /** Records a scripted client's call or return. */
  recordClientEvent(event: Extract<TraceEvent, { type: 'call' | 'return' }>): void {
    assert(event.time === this.now, 'a client event must happen now');
    this.simulation.emit(event);
  }

  /** Ends the run: faults stop, then the liveness phase runs up to `boundMs` to settle. */
  finish(boundMs: number): SimulationResult {
    return this.simulation.finishNow(boundMs);
  }

  /** Records a violation found after the run (at finish, or by the linearizability check). */
  recordViolation(stop: Stop): SimulationResult {
    return this.simulation.recordViolation(stop);
  }

  result(): SimulationResult {
    return this.simulation.result();
  }
}
