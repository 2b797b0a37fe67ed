import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MatchReports } from './match-reports.ts';

interface Model {
  from: number;
  term: number;
  matchIndex: number;
  sendEvent: number;
  copies: number;
}

type Step =
  | { readonly op: 'add'; readonly id: number; readonly value: number }
  | { readonly op: 'duplicated' | 'arrived'; readonly id: number };

/** Every id in `ids` reads back as the model says (present with its fields, or absent). */
function expectSame(table: MatchReports, model: Map<number, Model>, ids: readonly number[]): void {
  expect(table.size).toBe(model.size);
  for (const id of ids) {
    const slot = table.find(id);
    const expected = model.get(id);
    if (expected === undefined) {
      expect(slot, `id ${id} should be absent`).toBe(-1);
      continue;
    }
    expect(slot, `id ${id} should be present`).toBeGreaterThanOrEqual(0);
    expect({ from: table.from(slot), term: table.term(slot), matchIndex: table.matchIndex(slot), sendEvent: table.sendEvent(slot), copies: table.copiesOf(slot) })
      .toEqual(expected);
  }
}

function apply(table: MatchReports, model: Map<number, Model>, step: Step): void {
  if (step.op === 'add') {
    const value = { from: step.value % 7, term: step.value % 13, matchIndex: step.value, sendEvent: step.value * 3, copies: 1 };
    table.add(step.id, value.from, value.term, value.matchIndex, value.sendEvent);
    model.set(step.id, value);
  } else if (step.op === 'duplicated') {
    table.duplicated(step.id);
    const found = model.get(step.id);
    if (found !== undefined) found.copies += 1;
  } else {
    table.arrived(step.id);
    const found = model.get(step.id);
    if (found !== undefined && --found.copies === 0) model.delete(step.id);
  }
}

describe('match reports table', () => {
  it('keeps each id until its last copy arrives, through growth and removals in probe chains', () => {
    const table = new MatchReports();
    const model = new Map<number, Model>();
    // Ids that are multiples of a power of two share hash bits; thousands of them force growth
    // and long probe chains, and removing every other one exercises the backward shift.
    const ids = Array.from({ length: 3000 }, (_, position) => position * 1024);
    ids.forEach((id, position) => apply(table, model, { op: 'add', id, value: position }));
    expectSame(table, model, ids);
    ids.forEach((id, position) => { if (position % 3 === 0) apply(table, model, { op: 'duplicated', id }); });
    ids.forEach((id, position) => { if (position % 2 === 0) apply(table, model, { op: 'arrived', id }); });
    expectSame(table, model, ids);
    // A duplicated id survives one arrival, and goes with the second.
    expect(table.find(0)).toBeGreaterThanOrEqual(0);
    apply(table, model, { op: 'arrived', id: 0 });
    expect(table.find(0)).toBe(-1);
    ids.forEach((id) => { while (model.has(id)) apply(table, model, { op: 'arrived', id }); });
    expect(table.size).toBe(0);
    expectSame(table, model, ids);
  });

  it('ignores ids it never recorded, and replaces a record of the same id', () => {
    const table = new MatchReports();
    table.arrived(5);
    table.duplicated(5);
    expect(table.find(5)).toBe(-1);
    table.add(5, 1, 2, 3, 4);
    table.add(5, 2, 3, 4, 5);
    expect(table.size).toBe(1);
    expect(table.matchIndex(table.find(5))).toBe(4);
  });

  test.prop([fc.array(fc.record({
    op: fc.constantFrom('add', 'duplicated', 'arrived'),
    id: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }).map((n) => n * 65536), fc.nat()),
    value: fc.nat({ max: 1000 }),
  }), { maxLength: 400 })])('answers as a Map of records would, for any sequence of sends, copies and arrivals', (steps) => {
    const table = new MatchReports();
    const model = new Map<number, Model>();
    const ids = [...new Set(steps.map((step) => step.id))];
    for (const step of steps) apply(table, model, step as Step);
    expectSame(table, model, ids);
  });
});
