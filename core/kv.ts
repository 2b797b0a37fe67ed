// The replicated key-value state machine with client sessions (Raft thesis, section 6.3).
//
// Sessions: the simulator's clients are closed-loop (one outstanding command each, sequence
// numbers increasing by client), so a session keeps only the last sequence applied and its
// result. A command is then one of:
//   - new (sequence above the last applied): applied, and its result remembered;
//   - a retry (sequence equal to the last applied): not applied again, answered with the first
//     result, so the client sees one effect whatever the number of copies in the log;
//   - stale (sequence below the last applied): never applied. The client has already moved on,
//     which it only does after learning the outcome of the older command or giving it up as
//     indeterminate, so nobody waits for this answer. Its result is not kept (only the last one
//     is); `execute` reports it as stale and `apply` answers with the session's last result,
//     which a closed-loop client ignores because the sequence does not match its own.
import { assert, assertNever } from './assert.ts';
import { NO_BUGS } from './bugs.ts';
import type { Bugs } from './bugs.ts';
import { mutationsOf } from './mutations.ts';
import type { Mutations } from './mutations.ts';
import type { KvCommand, KvOp, KvResult } from './types.ts';

export type KvOutcome = 'applied' | 'duplicate' | 'stale';

export interface KvExecution {
  readonly outcome: KvOutcome;
  readonly result: KvResult;
}

export interface KvSession {
  readonly clientId: number;
  /** The last sequence applied for this client. */
  readonly sequence: number;
  /** The answer that sequence got the first time it was applied. */
  readonly result: KvResult;
}

/** The state machine's snapshot: plain JSON, keys and sessions sorted so equal states compare equal. */
export interface KvSnapshot {
  readonly format: typeof KV_SNAPSHOT_FORMAT;
  readonly data: readonly (readonly [string, string])[];
  readonly sessions: readonly KvSession[];
}

export const KV_SNAPSHOT_FORMAT = 'raftsim-kv/1';

const OK: KvResult = Object.freeze({ type: 'ok' });

export class KvStateMachine {
  private readonly data = new Map<string, string>();
  /** Invariant: per client, the sequence only grows (except under client-retry-no-dedup). */
  private readonly sessions = new Map<number, KvSession>();
  private readonly mutations: Mutations;

  constructor(bugs: Bugs = NO_BUGS) {
    this.mutations = mutationsOf(bugs);
  }

  /** Rebuild a machine from `snapshot()` output. */
  static fromSnapshot(snapshot: unknown, bugs: Bugs = NO_BUGS): KvStateMachine {
    const machine = new KvStateMachine(bugs);
    machine.restore(snapshot);
    return machine;
  }

  apply(command: KvCommand): KvResult {
    return this.execute(command).result;
  }

  /** Apply a committed command, saying whether it took effect (see the header comment). */
  execute(command: KvCommand): KvExecution {
    assertSessionId(command.clientId, 'clientId');
    assertSessionId(command.sequence, 'sequence');
    const session = this.sessions.get(command.clientId);
    if (session !== undefined && !this.mutations.clientRetryNoDedup) {
      if (command.sequence === session.sequence) return { outcome: 'duplicate', result: session.result };
      if (command.sequence < session.sequence) return { outcome: 'stale', result: session.result };
    }
    const result = this.applyOp(command.op);
    this.sessions.set(command.clientId, { clientId: command.clientId, sequence: command.sequence, result });
    return { outcome: 'applied', result };
  }

  /** A linearizable read served through ReadIndex: no log entry, no session. */
  read(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** The last session entry of a client, or null if it never had a command applied. */
  session(clientId: number): KvSession | null {
    return this.sessions.get(clientId) ?? null;
  }

  get size(): number {
    return this.data.size;
  }

  /** A JSON value that later changes to this machine do not alter (and vice versa). */
  snapshot(): KvSnapshot {
    const data = [...this.data.entries()]
      .sort(([left], [right]) => compareStrings(left, right))
      .map(([key, value]) => [key, value] as const);
    const sessions = [...this.sessions.values()]
      .sort((left, right) => left.clientId - right.clientId)
      .map(copySession);
    return { format: KV_SNAPSHOT_FORMAT, data, sessions };
  }

  /** Replace the whole state (data and sessions) with a snapshot's. Validates before changing anything. */
  restore(snapshot: unknown): void {
    const parsed = parseSnapshot(snapshot);
    this.data.clear();
    this.sessions.clear();
    for (const [key, value] of parsed.data) this.data.set(key, value);
    for (const session of parsed.sessions) this.sessions.set(session.clientId, copySession(session));
  }

  private applyOp(op: KvOp): KvResult {
    switch (op.type) {
      case 'get':
        return { type: 'value', value: this.read(op.key) };
      case 'put':
        this.data.set(op.key, op.value);
        return OK;
      case 'append':
        this.data.set(op.key, (this.data.get(op.key) ?? '') + op.value);
        return OK;
      case 'cas': {
        const current = this.read(op.key);
        if (current !== op.from) return { type: 'cas', ok: false, value: current };
        this.data.set(op.key, op.to);
        return { type: 'cas', ok: true, value: op.to };
      }
      case 'delete':
        this.data.delete(op.key);
        return OK;
      default:
        return assertNever(op);
    }
  }
}

function assertSessionId(value: number, name: string): void {
  // Messages are built only on failure: this runs for every command every node applies.
  if (!Number.isSafeInteger(value)) assert(false, `${name} must be a safe integer, got ${value}`);
  if (!(value >= 0)) assert(false, `${name} must be >= 0, got ${value}`);
}

/** Sessions are shared with no one: snapshots and restores copy them field by field. */
function copySession(session: KvSession): KvSession {
  return { clientId: session.clientId, sequence: session.sequence, result: copyResult(session.result) };
}

function copyResult(result: KvResult): KvResult {
  switch (result.type) {
    case 'value': return { type: 'value', value: result.value };
    case 'ok': return { type: 'ok' };
    case 'cas': return { type: 'cas', ok: result.ok, value: result.value };
    default: return assertNever(result);
  }
}

/** Code-unit order, independent of locale, so snapshots are identical everywhere. */
function compareStrings(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Snapshot validation: the data crossed a simulated disk and network, so check every field.

function parseSnapshot(value: unknown): KvSnapshot {
  assert(isRecord(value), 'kv snapshot must be an object');
  assert(value['format'] === KV_SNAPSHOT_FORMAT, `kv snapshot format must be ${KV_SNAPSHOT_FORMAT}`);
  const data = value['data'];
  const sessions = value['sessions'];
  assert(Array.isArray(data), 'kv snapshot data must be an array');
  assert(Array.isArray(sessions), 'kv snapshot sessions must be an array');
  const keys = new Set<string>();
  for (const pair of data as unknown[]) {
    assert(Array.isArray(pair) && pair.length === 2, 'kv snapshot data must hold [key, value] pairs');
    assert(typeof pair[0] === 'string' && typeof pair[1] === 'string', 'kv snapshot keys and values must be strings');
    if (keys.has(pair[0])) assert(false, `kv snapshot has key ${JSON.stringify(pair[0])} twice`);
    keys.add(pair[0]);
  }
  const clients = new Set<number>();
  for (const session of sessions as unknown[]) {
    assert(isRecord(session), 'kv snapshot session must be an object');
    const { clientId, sequence, result } = session;
    assert(typeof clientId === 'number' && typeof sequence === 'number', 'kv session ids must be numbers');
    assertSessionId(clientId, 'kv session clientId');
    assertSessionId(sequence, 'kv session sequence');
    if (clients.has(clientId)) assert(false, `kv snapshot has client ${clientId} twice`);
    if (!isKvResult(result)) assert(false, `kv session of client ${clientId} has a malformed result`);
    clients.add(clientId);
  }
  return { format: KV_SNAPSHOT_FORMAT, data: data as [string, string][], sessions: sessions as KvSession[] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKvResult(value: unknown): value is KvResult {
  if (!isRecord(value)) return false;
  const stored = value['value'];
  const storedOk = stored === null || typeof stored === 'string';
  switch (value['type']) {
    case 'ok': return true;
    case 'value': return storedOk;
    case 'cas': return storedOk && typeof value['ok'] === 'boolean';
    default: return false;
  }
}
