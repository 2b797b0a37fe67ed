import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, mergeOptions } from '../sim/options.ts';
import {
  BUILTIN, ImplementationError, capabilitiesOf, capabilityOverride, implementationMismatch, implementationRecord, implementationModule, loadImplementation, undeclaredIn,
} from './impl.ts';
import { specForSeed } from './spec.ts';

const scratch = mkdtempSync(join(tmpdir(), 'raftsim-impl-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loading an implementation', () => {
  it('loads examples/paper-raft with its declared capabilities, name, version and a digest of the file', async () => {
    const impl = await loadImplementation('examples/paper-raft/raft.ts');
    expect(impl.info).toMatchObject({ name: 'paper-raft', version: '1.0.0', module: 'examples/paper-raft/raft.ts' });
    expect(impl.info.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(impl.capabilities).toEqual({ preVote: false, checkQuorum: false, snapshots: false, membership: false, leaseReads: false, transfer: false });
    expect(typeof impl.factory).toBe('function');
  });

  it('refuses a missing file, a module without a factory, and a capability that is not a boolean, in one line each', async () => {
    await expect(loadImplementation(join(scratch, 'none.ts'))).rejects.toThrow(/no such file/);
    writeFileSync(join(scratch, 'empty.mjs'), 'export const x = 1;\n');
    await expect(loadImplementation(join(scratch, 'empty.mjs'))).rejects.toThrow(/exports no createNode/);
    writeFileSync(join(scratch, 'bad.mjs'), 'export function createNode() {}\nexport const capabilities = { preVote: "yes" };\n');
    await expect(loadImplementation(join(scratch, 'bad.mjs'))).rejects.toThrow(ImplementationError);
    writeFileSync(join(scratch, 'syntax.mjs'), 'export const = ;\n');
    const error: unknown = await loadImplementation(join(scratch, 'syntax.mjs')).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImplementationError);
    expect((error as Error).message).toMatch(/syntax\.mjs: cannot be loaded: /);
    expect((error as Error).message).not.toContain('\n');
  });

  it('takes --impl first, then package.json "raftsim.impl", then the built-in core', () => {
    expect(implementationModule('x.ts', scratch)).toBe('x.ts');
    expect(implementationModule('builtin', scratch)).toBeNull();
    expect(implementationModule(null, scratch)).toBeNull();
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ raftsim: { impl: 'src/raft.ts' } }));
    expect(implementationModule(null, scratch)).toBe('src/raft.ts');
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ raftsim: { impl: 7 } }));
    expect(() => implementationModule(null, scratch)).toThrow(ImplementationError);
  });
});

describe('capabilities', () => {
  const none = { preVote: false, checkQuorum: false, snapshots: false, membership: false, leaseReads: false, transfer: false };

  it('leave out of every swarm draw what an implementation does not declare', () => {
    const { override, leftOut } = capabilityOverride(none);
    expect(leftOut).toEqual(['preVote', 'checkQuorum', 'snapshots', 'membership', 'leaseReads', 'transfer']);
    for (let seed = 1; seed <= 200; seed++) {
      const spec = specForSeed(String(seed), { preset: null, override, bugs: [], record: false });
      expect(undeclaredIn(spec.options, none)).toEqual([]);
      // No partition kept through the liveness phase (one that only PreVote and CheckQuorum survive).
      expect(spec.schedule.filter((fault) => fault.type === 'partition' && fault.at >= spec.options.durationMs)).toEqual([]);
    }
  });

  it('change nothing for an implementation that declares everything', () => {
    expect(capabilityOverride(BUILTIN.capabilities)).toEqual({ override: {}, leftOut: [] });
    const options = mergeOptions(DEFAULT_OPTIONS, { raft: { preVote: true, checkQuorum: true } });
    expect(undeclaredIn(options, none)).toEqual(expect.arrayContaining(['preVote', 'checkQuorum']));
  });

  it('refuse a replay with another implementation, naming both', async () => {
    const paper = await loadImplementation('examples/paper-raft/raft.ts');
    const record = implementationRecord(paper);
    expect(record).toMatchObject({ name: 'paper-raft', version: '1.0.0', module: 'examples/paper-raft/raft.ts', capabilities: paper.capabilities });
    expect(implementationRecord(BUILTIN)).toBeNull();
    expect(implementationMismatch(record ?? undefined, paper)).toBeNull();
    expect(implementationMismatch(undefined, BUILTIN)).toBeNull();
    const message = implementationMismatch(record ?? undefined, BUILTIN);
    expect(message).toContain(`paper-raft 1.0.0 (examples/paper-raft/raft.ts, sha256 ${paper.info.digest})`);
    expect(message).toContain('not the built-in core');
    expect(implementationMismatch({ ...record!, digest: '0000000000000000' }, paper)).toContain('sha256 0000000000000000');
    expect(implementationMismatch(undefined, paper)).toContain('made by the built-in core');
    expect(capabilitiesOf(record ?? undefined)).toEqual(paper.capabilities);
  });
});
