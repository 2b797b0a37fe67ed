// The determinism guard: while a simulation runs, ambient time, randomness and timers throw, so a
// stray use anywhere in core/ or sim/ fails loudly instead of making runs unrepeatable.

type Restore = () => void;

function banned(name: string): () => never {
  return () => {
    throw new Error(`${name} was called during a simulation run: runs must draw time and randomness from the seed`);
  };
}

function replace<T extends object, K extends keyof T>(target: T, key: K, value: unknown): Restore {
  const original = target[key];
  Object.defineProperty(target, key, { value, configurable: true, writable: true });
  return () => Object.defineProperty(target, key, { value: original, configurable: true, writable: true });
}

/** Runs `body` with Math.random, Date.now, new Date(), performance.now and timers banned. */
export function withDeterminismGuard<T>(body: () => T): T {
  const OriginalDate = Date;
  const GuardedDate = function (this: unknown, ...args: unknown[]): unknown {
    if (args.length === 0) banned('new Date()')();
    return new OriginalDate(...(args as [number]));
  } as unknown as DateConstructor;
  Object.assign(GuardedDate, { now: banned('Date.now'), parse: OriginalDate.parse, UTC: OriginalDate.UTC });
  const restores: Restore[] = [
    replace(Math, 'random', banned('Math.random')),
    replace(globalThis, 'Date', GuardedDate),
    replace(performance, 'now', banned('performance.now')),
    replace(globalThis, 'setTimeout', banned('setTimeout')),
    replace(globalThis, 'setInterval', banned('setInterval')),
    replace(globalThis, 'setImmediate', banned('setImmediate')),
    replace(globalThis, 'queueMicrotask', banned('queueMicrotask')),
  ];
  try {
    return body();
  } finally {
    for (const restore of restores.reverse()) restore();
  }
}
