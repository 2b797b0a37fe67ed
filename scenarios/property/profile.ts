// How much a property run does: a fixed, fast profile for CI; RAFTSIM_RUNS and RAFTSIM_SEED for
// longer or different nightly runs (README, "Property tests").
export interface PropertyProfile {
  readonly numRuns: number;
  readonly seed: number;
}

export const CI_PROFILE: PropertyProfile = { numRuns: 20, seed: 20_260_101 };

function integerFrom(text: string | undefined, name: string, min: number): number | null {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

export function propertyProfile(env: Readonly<Record<string, string | undefined>>): PropertyProfile {
  return {
    numRuns: integerFrom(env['RAFTSIM_RUNS'], 'RAFTSIM_RUNS', 1) ?? CI_PROFILE.numRuns,
    seed: integerFrom(env['RAFTSIM_SEED'], 'RAFTSIM_SEED', -(2 ** 31)) ?? CI_PROFILE.seed,
  };
}
