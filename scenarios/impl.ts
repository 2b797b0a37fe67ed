// The system under test: raftsim's own core, or another Raft implementation loaded from a module
// (`--impl MODULE`, or the "raftsim": { "impl": MODULE } field of the package.json in the working
// folder). A module exports a factory and declares what it supports; raftsim then draws only the
// declared features, and every trace records which implementation ran (name, version, and a
// digest of the module file) so that a replay with another one is refused.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RaftNodeApi, RaftOptions } from '../core/index.ts';
import type { NodeFactory } from '../sim/host.ts';
import { MEMBERSHIP_OFF } from '../sim/options.ts';
import type { OptionsOverride, SimOptions } from '../sim/options.ts';
import type { TraceImplementation } from '../reports/trace-file.ts';

/** The features an implementation may declare; anything not declared is never drawn for it. */
export const CAPABILITIES = ['preVote', 'checkQuorum', 'snapshots', 'membership', 'leaseReads', 'transfer'] as const;
export type Capability = typeof CAPABILITIES[number];
export type Capabilities = Readonly<Record<Capability, boolean>>;

/** What a trace header records about the implementation that ran. */
export interface ImplementationInfo {
  readonly name: string;
  readonly version: string;
  /** The module as given (relative to the working folder), or null for the built-in core. */
  readonly module: string | null;
  /** sha256 of the module file, first 16 hex digits; null for the built-in core. */
  readonly digest: string | null;
}

export interface Implementation {
  readonly info: ImplementationInfo;
  readonly capabilities: Capabilities;
  /** Undefined for the built-in core (the simulator's default). */
  readonly factory: NodeFactory | undefined;
}

/** A module that cannot be used as an implementation; the message is one line, fit for a user. */
export class ImplementationError extends Error {
  override readonly name = 'ImplementationError';
}

const ALL: Capabilities = { preVote: true, checkQuorum: true, snapshots: true, membership: true, leaseReads: true, transfer: true };

export const BUILTIN: Implementation = {
  info: { name: 'raftsim-core', version: 'builtin', module: null, digest: null },
  capabilities: ALL,
  factory: undefined,
};

/** The implementation a command uses: `--impl` when given, else package.json's "raftsim.impl", else the built-in core. */
export function implementationModule(flag: string | null, cwd = process.cwd()): string | null {
  if (flag !== null) return flag === 'builtin' ? null : flag;
  const manifest = resolve(cwd, 'package.json');
  if (!existsSync(manifest)) return null;
  try {
    const field = (JSON.parse(readFileSync(manifest, 'utf8')) as { raftsim?: { impl?: unknown } }).raftsim?.impl;
    if (field === undefined || field === 'builtin') return null;
    if (typeof field !== 'string' || field === '') throw new ImplementationError('package.json: "raftsim.impl" must be a module path');
    return field;
  } catch (error) {
    if (error instanceof ImplementationError) throw error;
    throw new ImplementationError(`package.json: not valid JSON (${(error as Error).message})`);
  }
}

/** Loads an implementation module and checks its shape. */
export async function loadImplementation(module: string | null, cwd = process.cwd()): Promise<Implementation> {
  if (module === null) return BUILTIN;
  const path = resolve(cwd, module);
  if (!existsSync(path)) throw new ImplementationError(`--impl ${module}: no such file`);
  if (!statSync(path).isFile()) throw new ImplementationError(`--impl ${module}: not a file`);
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(path).href) as Record<string, unknown>;
  } catch (error) {
    throw new ImplementationError(`--impl ${module}: cannot be loaded: ${oneLine(error)}`);
  }
  const create = exports['createNode'] ?? exports['default'];
  if (typeof create !== 'function') {
    throw new ImplementationError(`--impl ${module}: exports no createNode(options) function (nor a default export)`);
  }
  const declared = exports['capabilities'];
  if (declared !== undefined && (typeof declared !== 'object' || declared === null)) {
    throw new ImplementationError(`--impl ${module}: "capabilities" must be an object`);
  }
  const record = (declared ?? {}) as Record<string, unknown>;
  const capabilities = {} as Record<Capability, boolean>;
  for (const name of CAPABILITIES) {
    const value = record[name];
    if (value !== undefined && typeof value !== 'boolean') throw new ImplementationError(`--impl ${module}: capabilities.${name} must be true or false`);
    capabilities[name] = value === true;
  }
  const text = (key: string, fallback: string): string => (typeof record[key] === 'string' && record[key] !== '' ? record[key] as string : fallback);
  const shown = relative(cwd, path) || module;
  const factory = (options: RaftOptions): RaftNodeApi => (create as (options: RaftOptions) => RaftNodeApi)(options);
  return {
    info: { name: text('name', shown), version: text('version', 'unversioned'), module: shown, digest: fileDigest(path) },
    capabilities,
    factory,
  };
}

export function fileDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

/**
 * The option overrides that keep a run within what the implementation declares, and the features
 * they left out (for the options banner). Applied after swarm mode's draws and before the fault
 * schedule is made, so no fault pattern that needs an undeclared feature is kept either.
 */
export function capabilityOverride(capabilities: Capabilities): { readonly override: OptionsOverride; readonly leftOut: readonly Capability[] } {
  const leftOut = CAPABILITIES.filter((name) => !capabilities[name]);
  if (leftOut.length === 0) return { override: {}, leftOut };
  const raft: { preVote?: boolean; checkQuorum?: boolean; leaseReads?: boolean } = {};
  if (!capabilities.preVote) raft.preVote = false;
  if (!capabilities.checkQuorum) Object.assign(raft, { checkQuorum: false, leaseReads: false });
  if (!capabilities.leaseReads) raft.leaseReads = false;
  return {
    override: {
      ...(Object.keys(raft).length > 0 ? { raft } : {}),
      ...(capabilities.snapshots ? {} : { snapshotEveryEntries: 0 }),
      ...(capabilities.membership && capabilities.transfer ? {} : {
        membership: { ...(capabilities.membership ? {} : MEMBERSHIP_OFF), ...(capabilities.transfer ? {} : { transferIntervalMsMean: 0 }) },
      }),
    },
    leftOut,
  };
}

/** Whether a run's options stay within the capabilities (a preset or a user override may not). */
export function undeclaredIn(options: SimOptions, capabilities: Capabilities): Capability[] {
  const used: Record<Capability, boolean> = {
    preVote: options.raft.preVote,
    checkQuorum: options.raft.checkQuorum,
    leaseReads: options.raft.leaseReads,
    snapshots: options.snapshotEveryEntries > 0,
    membership: options.membership.changeIntervalMsMean > 0 || options.membership.changeAfterElectionRatio > 0,
    transfer: (options.membership.transferIntervalMsMean ?? 0) > 0,
  };
  return CAPABILITIES.filter((name) => used[name] && !capabilities[name]);
}

/** What a trace header records about the implementation; null for the built-in core (no field). */
export function implementationRecord(impl: Implementation): TraceImplementation | null {
  const { name, version, module, digest } = impl.info;
  if (module === null || digest === null) return null;
  return { name, version, module, digest, capabilities: { ...impl.capabilities } };
}

/** The capabilities a trace header recorded (the built-in core's when it names none). */
export function capabilitiesOf(record: TraceImplementation | undefined): Capabilities {
  if (record === undefined) return BUILTIN.capabilities;
  const capabilities = {} as Record<Capability, boolean>;
  for (const name of CAPABILITIES) capabilities[name] = record.capabilities[name] === true;
  return capabilities;
}

/** The refusal of a replay with another implementation than the trace's, or null when they agree. */
export function implementationMismatch(recorded: TraceImplementation | undefined, running: Implementation): string | null {
  const digest = recorded?.digest ?? null;
  if (digest === running.info.digest) return null;
  const made = recorded === undefined ? BUILTIN.info : { ...recorded };
  return `the trace was made by ${describeImplementation(made)}, not ${describeImplementation(running.info)}: ` +
    `replay it with ${made.module === null ? '--impl builtin' : `--impl ${made.module}`} (the same file)`;
}

export function describeImplementation(info: ImplementationInfo): string {
  if (info.module === null) return 'the built-in core';
  return `${info.name} ${info.version} (${info.module}, sha256 ${info.digest ?? '?'})`;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? text;
}

// ---------------------------------------------------------------------------------------------
// The implementation a process (or a sweep's worker thread) runs: set once by the command before
// any run, read by specFor and the trace header.

let active: Implementation = BUILTIN;
let activeModule: string | null = null;

/** Loads and selects the implementation for this thread (a no-op when it is already selected). */
export async function useImplementation(module: string | null, cwd = process.cwd()): Promise<Implementation> {
  if (module === activeModule && (module === null || active !== BUILTIN)) return active;
  active = await loadImplementation(module, cwd);
  activeModule = module;
  return active;
}

export function activeImplementation(): Implementation {
  return active;
}
