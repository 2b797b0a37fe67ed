// Shrinking at work: a planted property that fails ("no leader is ever deposed") is shrunk by
// fast-check to a schedule of at most three faults, saved as a trace, and that trace replays.
import { existsSync, readFileSync } from 'node:fs';
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeTrace } from '../../reports/trace-file.ts';
import { reportError } from '../cli/common.ts';
import { main } from '../cli/sim.ts';
import { captureIo } from '../cli/test-io.ts';
import { scenarioOptions } from '../vocabulary.ts';
import { fitSchedule, drawnScheduleArbitrary, PROPERTY_DURATION_MS, PROPERTY_LIVENESS_MS } from './arbitraries.ts';
import type { RunCase } from './arbitraries.ts';
import { checkRun, counterexamplePath, PropertyFailure } from './counterexample.ts';
import type { RunProperty } from './counterexample.ts';

const PLANTED = 'planted: no leader is ever deposed';
const NO_DEPOSITION: RunProperty = (report) => {
  const depositions = report.sometimes?.depositions ?? 0;
  return depositions === 0 ? null : `${depositions} leader(s) deposed`;
};

// A calm network, so only the schedule's faults can depose a leader.
const calm = scenarioOptions({ nodes: 5, clients: 1, durationMs: PROPERTY_DURATION_MS, livenessMs: PROPERTY_LIVENESS_MS });

const caseArbitrary: fc.Arbitrary<RunCase> = fc.record({ seed: fc.constant(7), drawn: drawnScheduleArbitrary(PROPERTY_DURATION_MS, 16) })
  .map(({ seed, drawn }) => ({ seed, options: calm, schedule: fitSchedule(drawn, calm.nodes) }));

describe('shrinking', () => {
  it('a failing schedule shrinks to at most 3 fault events, saved as a trace that replays', async () => {
    const details = fc.check(fc.property(caseArbitrary, (runCase) => checkRun(PLANTED, runCase, NO_DEPOSITION)),
      { numRuns: 100, seed: 11 });
    expect(details.failed).toBe(true);
    const counterexample = details.counterexample?.[0];
    expect(counterexample).toBeDefined();
    if (counterexample === undefined) return;
    expect(details.numShrinks).toBeGreaterThan(0);
    expect(counterexample.schedule.length).toBeGreaterThanOrEqual(1);
    expect(counterexample.schedule.length).toBeLessThanOrEqual(3);
    // The last failing call was the minimal case: its error names the file and the commands.
    const error = details.errorInstance;
    expect(error).toBeInstanceOf(PropertyFailure);
    const path = counterexamplePath(PLANTED);
    expect((error as PropertyFailure).tracePath).toBe(path);
    expect((error as Error).message).toContain(`npm run sim -- --replay ${path}`);
    expect((error as Error).message).toContain(`npm run replay -- ${path}`);
    expect(existsSync(path)).toBe(true);
    const trace = decodeTrace(readFileSync(path, 'utf8'));
    expect(trace.header.schedule).toEqual(counterexample.schedule);
    const io = captureIo();
    let code: number;
    try {
      code = await main(['--replay', path], io);
    } catch (caught) {
      code = reportError(caught, io);
    }
    expect(io.out.join('\n')).toContain('replay matches the trace');
    expect(code).toBe(0);
  });

  it('the property suite\'s schedules are valid for every node count and use every fault kind', () => {
    const kinds = new Set<string>();
    fc.assert(fc.property(drawnScheduleArbitrary(), fc.constantFrom(3, 4, 5), (drawn, nodes) => {
      const schedule = fitSchedule(drawn, nodes);
      for (const fault of schedule) {
        kinds.add(fault.type === 'partition' ? `partition:${fault.kind}` : fault.type === 'crash' ? `crash:${fault.torn}` : fault.type);
        expect(fault.at).toBeLessThan(PROPERTY_DURATION_MS);
        if ('node' in fault) expect(fault.node).toBeLessThanOrEqual(nodes);
      }
    }), { numRuns: 300, seed: 3 });
    for (const kind of ['heal', 'crash:true', 'crash:false', 'restart', 'pause', 'resume', 'partition:halves', 'partition:isolate',
      'partition:bridge', 'partition:ring', 'partition:asymmetric', 'partition:explicit']) {
      expect(kinds, kind).toContain(kind);
    }
  });
});
