// Assertions stay on in every run (docs/style.md, rule 6).

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertNever(value: never): never {
  throw new AssertionError(`unexpected variant: ${JSON.stringify(value)}`);
}
