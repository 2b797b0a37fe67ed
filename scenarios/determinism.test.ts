// Determinism is the product: the same seed gives the same trace hash, in this process and in a
// fresh worker thread; different seeds give different hashes; ambient time and randomness throw.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { withDeterminismGuard } from './guard.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

const short = { durationMs: 20_000 };

function hashOf(seed: string): string {
  const spec = specForSeed(seed, { preset: null, override: short, bugs: [], record: false });
  const report = withDeterminismGuard(() => runSimulation({ ...spec, hash: true }));
  expect(report.sim.hash).toMatch(/^[0-9a-f]{16}$/);
  return report.sim.hash as string;
}

function hashInWorker(seed: string): Promise<string> {
  // A fresh thread with its own module graph: tsx compiles the worker's TypeScript there.
  const bootstrap = `const { workerData } = require('node:worker_threads');
    import('tsx/esm/api').then(({ tsImport }) => tsImport(workerData.module, workerData.module));`;
  const module = new URL('./determinism-worker.ts', import.meta.url).href;
  const worker = new Worker(bootstrap, { eval: true, workerData: { module, seed, override: short } });
  return new Promise((resolve, reject) => {
    worker.once('message', (hash: string) => resolve(hash));
    worker.once('error', reject);
  }).finally(() => worker.terminate()) as Promise<string>;
}

describe('determinism', () => {
  it('gives the same trace hash for the same seed', () => {
    expect(hashOf('42')).toBe(hashOf('42'));
  });

  it('gives the same trace hash in a fresh worker thread', async () => {
    expect(await hashInWorker('42')).toBe(hashOf('42'));
  });

  it('gives different hashes for different seeds', () => {
    const hashes = new Set(['1', '2', '3', '0x2a', '-7'].map(hashOf));
    expect(hashes.size).toBe(5);
  });

  it('records the same events when recording is on as the hash covers when it is off', () => {
    const spec = specForSeed('9', { preset: null, override: short, bugs: [], record: true });
    const recorded = runSimulation(spec);
    const unrecorded = runSimulation({ ...spec, record: false, hash: true });
    expect(recorded.sim.hash).toBe(unrecorded.sim.hash);
    expect(recorded.sim.events?.length).toBe(unrecorded.sim.traceEvents);
  });

  it('makes ambient time, randomness and timers throw during a run', () => {
    const banned: (() => unknown)[] = [
      () => Math.random(), () => Date.now(), () => new Date(), () => performance.now(),
      () => setTimeout(() => undefined, 1), () => setImmediate(() => undefined),
    ];
    for (const call of banned) expect(() => withDeterminismGuard(call)).toThrow(/during a simulation run/);
    expect(typeof Math.random()).toBe('number');
    expect(new Date(0).getTime()).toBe(0);
    expect(withDeterminismGuard(() => new Date(5).getTime())).toBe(5);
  });
});
