// The property profile: CI's fixed one by default; RAFTSIM_RUNS and RAFTSIM_SEED override it.
import { describe, expect, it } from 'vitest';
import { CI_PROFILE, propertyProfile } from './profile.ts';

describe('property profile', () => {
  it('is the fixed CI profile without the variables (or with them empty)', () => {
    expect(propertyProfile({})).toEqual(CI_PROFILE);
    expect(propertyProfile({ RAFTSIM_RUNS: '', RAFTSIM_SEED: ' ' })).toEqual(CI_PROFILE);
  });

  it('takes RAFTSIM_RUNS and RAFTSIM_SEED', () => {
    expect(propertyProfile({ RAFTSIM_RUNS: '5000', RAFTSIM_SEED: '-12' })).toEqual({ numRuns: 5000, seed: -12 });
  });

  it.each([['RAFTSIM_RUNS', '0'], ['RAFTSIM_RUNS', 'many'], ['RAFTSIM_SEED', '1.5']])('refuses %s=%s', (name, value) => {
    expect(() => propertyProfile({ [name]: value })).toThrow(name);
  });
});
